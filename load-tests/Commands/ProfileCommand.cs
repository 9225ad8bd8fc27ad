using System.CommandLine;
using Peft.LoadTests.Benchmarks;
using Peft.LoadTests.Reporting;
using Peft.LoadTests.Synthetic;
using Peft.Runtime.Adapters.Lora;
using Peft.Runtime.Adapters.Serving;
using TorchSharp;

namespace Peft.LoadTests.Commands;

/// <summary><c>profile</c>: where a step's time goes on the bench config, at the batch sizes asked for (issue 14).</summary>
internal static class ProfileCommand
{
    public static Command Create(CommonOptions common, IReadOnlyList<string> args, TextWriter log)
    {
        var batches = new Option<string>("--batches") { Description = "Decode batch sizes", DefaultValueFactory = _ => "1,32" };
        var context = new Option<int>("--context") { Description = "Context of decode", DefaultValueFactory = _ => 128 };
        var prefill = new Option<int>("--prefill") { Description = "Prompt length of the prefill profile (0 skips it)", DefaultValueFactory = _ => 128 };
        var steps = new Option<int>("--steps") { Description = "Timed steps per variant", DefaultValueFactory = _ => 10 };
        var kernels = new Option<string>("--kernels") { Description = "LoRA kernels profiled: gather, segment or both", DefaultValueFactory = _ => "segment" };
        var plain = new Option<bool>("--plain") { Description = "Also every LoRA variant without the slot lane's shortcuts (one-slot product, shared shrink, rank trimming)" };
        var poolRank = new Option<int>("--pool-rank") { Description = "Maximum rank of the LoRA slot pool, when above the adapters' (16)" };
        var name = new Option<string>("--name") { Description = "File name stem of the results", DefaultValueFactory = _ => "profile" };
        var command = new Command("profile", "A step's time by part (assembly, base matmuls, attention, LoRA, the rest, sampling) for decode and prefill, base and LoRA")
        {
            batches, context, prefill, steps, kernels, plain, poolRank, name,
        };
        command.SetAction(async (parse, _) =>
        {
            common.Apply(parse);
            var cache = new BenchCache(parse.GetValue(common.Cache)!);
            var shape = ModelShape.Bench;
            using var model = BenchModels.Synthetic(cache, shape, parse.GetValue(common.Seed), log);
            var settings = new LoraSettings();
            using var adapters = await AdapterSet.CreateAsync(cache, model, shape, settings.Adapters, settings.Rank, torch.ScalarType.Float32, 4L << 30, log);
            var hosts = adapters.Ids.Select(id => (LoraAdapter)adapters.Registry.EnsureHost(adapters.Registry.Get(id)).Result).ToArray();
            var chosen = ListOption.Split(parse.GetValue(kernels)!).Select(k => Enum.Parse<LoraKernel>(k, ignoreCase: true)).ToArray();
            int ctx = parse.GetValue(context), prompt = parse.GetValue(prefill), n = parse.GetValue(steps);
            var rows = new List<DecodeProfileRow>();
            // On its own thread, as the engine runs its steps.
            var worker = new Thread(() =>
            {
                foreach (int batch in ListOption.Ints(parse.GetValue(batches)!))
                {
                    log.WriteLine($"decode, batch {batch}, context {ctx}");
                    rows.AddRange(new DecodeProfile(model, hosts, batch, ctx, n, log, chosen, parse.GetValue(plain), parse.GetValue(poolRank)).Run());
                }
                if (prompt > 0)
                {
                    log.WriteLine($"prefill of {prompt} tokens");
                    rows.AddRange(new PrefillProfile(model, hosts[0], prompt, n, log).Run());
                }
            }) { Name = "step-profile" };
            worker.Start();
            worker.Join();
            var report = new ProfileReport(MachineInfo.Current("CPU", args), rows);
            CommonOptions.Save(parse.GetValue(common.Out)!, parse.GetValue(name)!, report, Render(report), log);
            return 0;
        });
        return command;
    }

    private static string Render(ProfileReport report)
    {
        var table = new MarkdownTable("variant", "batch", "context", "steps", "total ms", "assembly", "base matmuls (bare)", "attention", "LoRA", "other", "logits + sampling", "cores in the forward");
        foreach (var p in report.Rows)
            table.Row(p.Variant, p.Batch, p.Context, p.Steps, p.TotalMs, p.AssemblyMs, p.MatmulMs, p.AttentionMs, p.LoraMs, p.OtherMs, p.SamplingMs, p.ForwardCores);
        var m = report.Machine;
        return $"# Step profile\n\n`{m.Command}`\n\n{m.Cores} cores ({m.Cpu}), libtorch threads {m.TorchThreads}, load average {m.LoadAverage} at the end, {m.Date:u}.\n\n{table}";
    }
}

/// <summary>The <c>profile</c> command's report.</summary>
internal sealed record ProfileReport(MachineInfo Machine, IReadOnlyList<DecodeProfileRow> Rows);
