using Grpc.Core;
using Peft.Runtime.Safetensors;
using Peft.Runtime.Torch;
using TorchSharp;

namespace Peft.LoadTests.Chaos;

/// <summary>The items that need a server of their own: a bad checkpoint, a small queue.</summary>
internal sealed partial class BadInputMatrix
{
    /// <summary>Item 12: a checkpoint with a tensor no layer reads is refused, naming it; so is GPT-2 with an untied
    /// head it would otherwise ignore (its output must follow lm_head.weight, or the start must fail).</summary>
    private async Task UnexpectedTensorsAsync()
    {
        const string trial = "bad input 12";
        string model = environment.Fresh("model-extra-tensor");
        foreach (string file in Directory.GetFiles(environment.Model())) File.Copy(file, Path.Combine(model, Path.GetFileName(file)));
        AddTensor(Path.Combine(model, "model.safetensors"), "model.layers.0.mlp.extra_proj.weight", null);
        var server = ServerProcess.Launch(environment, ServerLayout.Under(environment, "extra-tensor", model).Arguments());
        await using (server)
        {
            int? exit = await server.WaitForExitAsync(TimeSpan.FromMinutes(2));
            if (exit is null or 0 || !server.Output.Contains("extra_proj", StringComparison.Ordinal))
                report.Fail(trial, "a checkpoint with unexpected tensors is refused by name", $"exit {exit?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none (it serves)"}");
        }

        string gpt2 = environment.Fresh("gpt2-untied");
        foreach (string file in Directory.GetFiles(Path.Combine(environment.HfRoot, "gpt2", "base"))) File.Copy(file, Path.Combine(gpt2, Path.GetFileName(file)));
        string config = Path.Combine(gpt2, "config.json");
        await File.WriteAllTextAsync(config, (await File.ReadAllTextAsync(config)).Replace("\"activation_function\"", "\"tie_word_embeddings\": false,\n  \"activation_function\"", StringComparison.Ordinal));
        AddTensor(Path.Combine(gpt2, "model.safetensors"), "lm_head.weight", "transformer.wte.weight");
        var untied = ServerProcess.Launch(environment, ServerLayout.Under(environment, "gpt2-untied", gpt2).Arguments());
        await using (untied)
        {
            var tied = ServerLayout.Under(environment, "gpt2-tied", Path.Combine(environment.HfRoot, "gpt2", "base"));
            await using var reference = await ServerProcess.StartAsync(environment, tied);
            var tiedOutput = await reference.Client.GenerateAsync("", ExpectedOutputs.Prompt, ExpectedOutputs.NewTokens);
            try
            {
                await untied.WaitServingAsync(TimeSpan.FromMinutes(2));
                var untiedOutput = await untied.Client.GenerateAsync("", ExpectedOutputs.Prompt, ExpectedOutputs.NewTokens);
                if (untiedOutput.Ok && untiedOutput.Tokens.SequenceEqual(tiedOutput.Tokens))
                    report.Fail(trial, "GPT-2 honours tie_word_embeddings: false", "an untied lm_head.weight was ignored (output equals the tied model's)");
            }
            catch (ChaosException)
            {
                // Refusing the untied checkpoint at start is an answer too.
            }
        }
    }

    /// <summary>Rewrites a checkpoint with one more tensor: random, or a perturbed copy of <paramref name="like"/>.</summary>
    private static void AddTensor(string path, string name, string? like)
    {
        using var scope = torch.NewDisposeScope();
        var tensors = new List<KeyValuePair<string, torch.Tensor>>();
        using (var file = SafetensorsFile.Open(path))
        {
            foreach (string n in file.Names) tensors.Add(new(n, file.Load(n)));
        }
        var shape = like is null ? new long[] { 8, 8 } : tensors.Single(t => t.Key == like).Value.shape;
        torch.manual_seed(7);
        tensors.Add(new(name, torch.randn(shape).mul_(Scalars.Of(0.5))));
        SafetensorsWriter.Write(path, tensors, new Dictionary<string, string> { ["format"] = "pt" });
    }

    /// <summary>Item 13: 64 long requests at once against one running slot and a queue of 4: at most 5 accepted.</summary>
    private async Task QueueBoundAsync()
    {
        const string trial = "bad input 13";
        var layout = ServerLayout.Under(environment, "queue-bound");
        await using var server = await ServerProcess.StartAsync(environment, layout, ["--Engine:MaxRunningSequences=1", "--Engine:MaxWaitingRequests=4"]);
        using var go = new ManualResetEventSlim();
        var calls = Enumerable.Range(0, 64).Select(_ => Task.Run(async () =>
        {
            go.Wait();
            return await server.Client.GenerateAsync("", ExpectedOutputs.Prompt, 200);
        })).ToArray();
        go.Set();
        var outcomes = await Task.WhenAll(calls);
        report.Requested(outcomes.Length);
        int accepted = outcomes.Count(o => o.Status != StatusCode.ResourceExhausted);
        if (outcomes.Any(o => o.Status == StatusCode.Internal)) report.InternalOne(trial, outcomes.First(o => o.Status == StatusCode.Internal).Detail);
        if (accepted > 5) report.Fail(trial, "MaxWaitingRequests holds under concurrent submissions", $"{accepted} of 64 accepted with one running and a queue of 4");
    }
}
