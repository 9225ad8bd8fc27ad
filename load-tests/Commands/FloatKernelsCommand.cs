using System.CommandLine;
using Peft.LoadTests.Benchmarks;
using Peft.LoadTests.Reporting;
using Peft.LoadTests.Synthetic;

namespace Peft.LoadTests.Commands;

/// <summary><c>float-kernels</c>: the float32 product kernel at the bench model's shapes, in cache and streamed from memory (issue 14).</summary>
internal static class FloatKernelsCommand
{
    public static Command Create(CommonOptions common, IReadOnlyList<string> args, TextWriter log)
    {
        var rows = new Option<string>("--rows") { Description = "Activation rows per product", DefaultValueFactory = _ => "1,32,256" };
        var reps = new Option<int>("--reps") { Description = "Timed repetitions per row count and shape", DefaultValueFactory = _ => 7 };
        var slots = new Option<int>("--lora-slots") { Description = "Slots of the LoRA lane's step, each on rows of its own (0 skips it)", DefaultValueFactory = _ => 32 };
        var loraRows = new Option<int>("--lora-rows") { Description = "Rows of each slot in the LoRA lane's step (1: decode; more: a prefill chunk per slot)", DefaultValueFactory = _ => 1 };
        var loraProducts = new Option<bool>("--lora-products") { Description = "Also the lane among the block's base products: the products alone and with the lane, in turns" };
        var name = new Option<string>("--name") { Description = "File name stem of the results", DefaultValueFactory = _ => "float-kernels" };
        var command = new Command("float-kernels", "The float32 product kernel at every bench shape, hot in cache against streamed from memory, and one pass over a step's matmuls") { rows, reps, slots, loraRows, loraProducts, name };
        command.SetAction(parse =>
        {
            common.Apply(parse);
            var settings = new FloatKernelSettings
            {
                Rows = ListOption.Ints(parse.GetValue(rows)!),
                Repetitions = parse.GetValue(reps),
                LoraSlots = parse.GetValue(slots),
                LoraRows = Math.Max(1, parse.GetValue(loraRows)),
                LoraProducts = parse.GetValue(loraProducts),
                Threads = parse.GetValue(common.Threads) ?? Environment.ProcessorCount,
            };
            log.WriteLine($"bench shapes {ModelShape.Bench.Key}, {settings.Threads} threads (float32 product kernel)");
            using var benchmark = new FloatKernelBenchmark(ModelShape.Bench, settings, log);
            var result = benchmark.Run().ToList();
            var report = new FloatKernelReport(MachineInfo.Current("CPU", args), settings, result);
            CommonOptions.Save(parse.GetValue(common.Out)!, parse.GetValue(name)!, report, FloatKernelReport.Markdown(report), log);
            return 0;
        });
        return command;
    }
}
