using Peft.Runtime.Tests.Adapters;
using Peft.Runtime.Tests.Fixtures;
using Peft.Runtime.Tests.Models;
using Peft.Runtime.Training;
using Peft.Runtime.Training.Datasets;
using Peft.Runtime.Training.Jobs;
using Peft.Runtime.Training.Methods;
using Peft.Runtime.Training.Output;
using static TorchSharp.torch;

namespace Peft.Runtime.Tests.Training;

/// <summary>
/// Methods trained from PEFT config JSON (the training API's peft_config) on a base with biases and non-unit norms:
/// each lowers its loss, and the adapter it writes in PEFT's format is read back by the method's own reader and
/// serves the logits the trainer saw (the row hooks of training and the device form of serving agree).
/// </summary>
[Collection(GlobalTorchRandom.Name)]
public sealed class MethodTrainingTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), $"peft-train-methods-{Guid.NewGuid():N}");

    /// <summary>The test matrix: a trainable method's configs are one row each (name, learning rate, config).</summary>
    public static TheoryData<string, double, string> Configs => new()
    {
        { "lora_json", 1e-2, """{"peft_type": "LORA", "r": 4, "lora_alpha": 8, "lora_dropout": 0.1, "target_modules": ["q_proj", "v_proj"]}""" },
        { "dora", 1e-2, """{"peft_type": "LORA", "use_dora": true, "r": 4, "lora_alpha": 8, "lora_dropout": 0.1, "target_modules": ["q_proj", "v_proj", "down_proj"]}""" },
        { "dora_all_linear", 1e-2, """{"peft_type": "LORA", "use_dora": true, "r": 2, "lora_alpha": 4, "use_rslora": true, "target_modules": "all-linear"}""" },
        { "ia3", 5e-2, """{"peft_type": "IA3", "target_modules": ["k_proj", "v_proj", "up_proj", "down_proj"], "feedforward_modules": ["down_proj"]}""" },
        { "gpt2:ia3", 5e-2, """{"peft_type": "IA3", "target_modules": ["c_attn", "mlp.c_proj"], "feedforward_modules": ["mlp.c_proj"]}""" },
    };

    /// <summary>A toy task: after [1, x, 9] comes x + 1 (x in 10..40), never seen by the random base model.</summary>
    private static List<TrainingExample> Task(int first, int count) => Enumerable.Range(first, count).Select(x =>
    {
        int[] ids = [1, x, 9, x + 1];
        return new TrainingExample(ids, [false, false, false, true]);
    }).ToList();

    [Theory]
    [MemberData(nameof(Configs))]
    public void A_method_trained_from_its_peft_config_lowers_the_loss_and_serves_the_logits_the_trainer_saw(string name, double rate, string json)
    {
        // "family:name" runs on that family's base; plain names on llama.
        string family = name.Contains(':', StringComparison.Ordinal) ? name.Split(':')[0] : "llama";
        name = name.Replace(':', '_');
        var golden = MethodFixtures.Case($"{family}__base");
        var model = ModelCache.For(golden);
        var spec = new PeftConfigSpec(json);
        var context = new TrainingContext(model, null);
        Assert.Null(spec.Problem(context));
        manual_seed(3);
        using var adapter = spec.Create(context);
        var train = Task(10, 24);
        using var trainer = new AdapterTrainer(model, adapter, train, Task(40, 6),
            new TrainerOptions { LearningRate = rate, MaxSteps = 30, MicroBatchSize = 8, WarmupSteps = 2, Seed = 5, EvalEvery = 0 });
        double before = trainer.MeanLoss(train);
        while (!trainer.IsDone) trainer.RunMicroBatch();
        double after = trainer.MeanLoss(train);
        Assert.True(after < before * 0.8, $"{name}: loss {before:F3} → {after:F3}");

        string output = Path.Combine(_dir, name);
        PeftAdapterWriter.Write(adapter, output);
        using var scope = NewDisposeScope();
        using var runner = new CachedRunner(model, loraSlots: 2);
        using var served = AdapterUnderTest.Read(model, output, runner, loraSlot: 1);
        Assert.Equal(spec.PeftType, served.Host.PeftType);
        adapter.Training = false;
        var ours = new List<KeyValuePair<string, Tensor>>();
        foreach (var example in Task(40, 3))
        {
            var expected = trainer.Logits([example], out var starts).narrow(0, starts[0], example.Length);
            var logits = served.DenseForward(example.TokenIds);
            GoldenAssert.Close(expected.cpu(), logits, $"{name} served vs trained", tolerance: 1e-4);
            ours.Add(new($"[{string.Join(",", example.TokenIds)}]", logits.contiguous()));
        }
        PeftCheckExport.Write(name, output, golden.BaseDirectory, ours);
    }

    [Theory]
    [InlineData("""{"peft_type": "BOFT", "target_modules": ["q_proj"]}""", "peft_type 'BOFT' is not supported")]
    [InlineData("""{"peft_type": "LORA", "use_dora": true, "r": 4, "target_modules": ["c_attn"]}""", "target modules c_attn not found")]
    [InlineData("""{"peft_type": "LORA", "r": 4, "target_modules": ["q_proj"], "rank_pattern": {"q_proj": 2}}""", "rank_pattern / alpha_pattern")]
    [InlineData("""{"peft_type": "LORA", "r": 4, "target_modules": ["q_proj"], "lora_dropout": 1.5}""", "lora_dropout")]
    [InlineData("""[1, 2]""", "peft_config: not a JSON object")]
    [InlineData("""{"peft_type": "LORA", "use_dora": true, "r": 4, "target_modules": ["q_proj"], "lora_alpha": 1e400}""", "'lora_alpha' must be a finite number")]
    [InlineData("""{"peft_type": "IA3", "target_modules": ["q_proj"], "feedforward_modules": [], "lora_dropout": NaN}""", "peft_config: not valid JSON")]
    [InlineData("""{"peft_type": "LORA", "r": 4, "target_modules": ["q_proj"], "layers_to_transform": [0.5]}""", "'layers_to_transform' must be an integer")]
    public void A_config_the_trainer_cannot_train_is_refused_naming_the_field(string json, string expected)
    {
        var model = ModelCache.For(MethodFixtures.Case("llama__base"));
        var problem = new PeftConfigSpec(json).Problem(new TrainingContext(model, null));
        Assert.NotNull(problem);
        Assert.Contains(expected, problem, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }
}
