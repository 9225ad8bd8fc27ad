using System.CommandLine;
using Peft.LoadTests.Benchmarks;
using Peft.LoadTests.Reporting;
using Peft.LoadTests.Synthetic;

namespace Peft.LoadTests.Commands;

/// <summary><c>int8-kernels</c>: the base matmuls alone, float32 against INT8 (kernel and GEMM paths) (issue 15).</summary>
internal static class Int8KernelsCommand
{
    public static Command Create(CommonOptions common, IReadOnlyList<string> args, TextWriter log)
    {
        var rows = new Option<string>("--rows") { Description = "Activation rows per product", DefaultValueFactory = _ => "1,2,4,8,16,32,64" };
        var reps = new Option<int>("--reps") { Description = "Timed passes per row count and variant", DefaultValueFactory = _ => 7 };
        var name = new Option<string>("--name") { Description = "File name stem of the results", DefaultValueFactory = _ => "int8-kernels" };
        var command = new Command("int8-kernels", "One pass over every matmul of the bench model: float32 (libtorch) against the INT8 kernel and the INT8 GEMM path") { rows, reps, name };
        command.SetAction(parse =>
        {
            common.Apply(parse);
            var settings = new Int8KernelSettings
            {
                Rows = ListOption.Ints(parse.GetValue(rows)!),
                Repetitions = parse.GetValue(reps),
                Threads = parse.GetValue(common.Threads) ?? Environment.ProcessorCount,
            };
            log.WriteLine($"bench shapes {ModelShape.Bench.Key}, {settings.Threads} threads (INT8 kernels and libtorch)");
            using var benchmark = new Int8KernelBenchmark(ModelShape.Bench, settings, log);
            var result = benchmark.Run().ToList();
            var report = new Int8KernelReport(MachineInfo.Current("CPU", args), settings, result);
            CommonOptions.Save(parse.GetValue(common.Out)!, parse.GetValue(name)!, report, Int8KernelReport.Markdown(report), log);
            return 0;
        });
        return command;
    }
}
