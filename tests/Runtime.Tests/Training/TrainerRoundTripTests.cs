using Peft.Runtime.Adapters;
using Peft.Runtime.Adapters.Lora;
using Peft.Runtime.Adapters.PrefixTuning;
using Peft.Runtime.Adapters.VirtualTokens;
using Peft.Runtime.Safetensors;
using Peft.Runtime.Tests.Adapters;
using Peft.Runtime.Tests.Models;
using Peft.Runtime.Training;
using Peft.Runtime.Training.Datasets;
using Peft.Runtime.Training.Methods;
using Peft.Runtime.Training.Output;
using static TorchSharp.torch;

namespace Peft.Runtime.Tests.Training;

/// <summary>
/// Every method trains on the frozen fixture model, lowers its loss, and the PEFT-format adapter it writes loads
/// back through the adapter reader and gives, on the serving path, the logits the trainer saw.
/// </summary>
[Collection(GlobalTorchRandom.Name)]
public sealed class TrainerRoundTripTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), $"peft-train-{Guid.NewGuid():N}");

    public static TheoryData<string> Methods => new() { "lora", "lora_rslora_all", "prompt", "ptuning", "prefix", "prefix_projection" };

    // Directly learned embeddings start at N(0, 1) as in PEFT and want a larger rate than LoRA or an encoder.

    /// <summary>A toy task: after [1, x, 9] comes x + 1 (x in 10..40), never seen by the random base model.</summary>
    private static List<TrainingExample> Task(int first, int count) => Enumerable.Range(first, count).Select(x =>
    {
        int[] ids = [1, x, 9, x + 1];
        return new TrainingExample(ids, [false, false, false, true]);
    }).ToList();

    private static TrainableAdapter Create(string method, Peft.Runtime.Models.CausalLM model) => method switch
    {
        "lora" => new TrainableLora(model, new LoraTrainingConfig { Rank = 4, Alpha = 8, Dropout = 0.1 }),
        "lora_rslora_all" => new TrainableLora(model, new LoraTrainingConfig { Rank = 4, Alpha = 8, UseRsLora = true, TargetModules = [] }),
        "prompt" => TrainablePromptTuning.PromptTuning(model, new PromptTuningTrainingConfig { VirtualTokens = 4 }, null),
        "ptuning" => TrainablePromptTuning.PTuning(model, new PTuningTrainingConfig { VirtualTokens = 4, EncoderHiddenSize = 32 }),
        "prefix" => new TrainablePrefixTuning(model, new PrefixTuningTrainingConfig { VirtualTokens = 4 }),
        _ => new TrainablePrefixTuning(model, new PrefixTuningTrainingConfig { VirtualTokens = 4, Projection = true, EncoderHiddenSize = 32 }),
    };

    [Theory]
    [MemberData(nameof(Methods))]
    public void A_trained_adapter_lowers_the_loss_and_serves_the_logits_the_trainer_saw(string method) =>
        TrainAndServe(method, ModelCache.Family("llama"));

    /// <summary>
    /// The same on an INT8 base: gradients reach the adapter through the dequantized weights, the base stays INT8 and
    /// unchanged, and the files load on the float base too, where they act alike.
    /// </summary>
    [Theory]
    [MemberData(nameof(Methods))]
    public void On_an_int8_base_a_trained_adapter_lowers_the_loss_and_also_serves_on_the_float_base(string method)
    {
        var model = ModelCache.Int8("llama");
        using var scope = NewDisposeScope();
        var site = model.LinearSites[^1];
        var before = model.SiteWeight(site).ToDense(ScalarType.Float32);
        var bytes = model.ResidentBytes;
        string output = TrainAndServe(method, model);

        Assert.True(model.SiteWeight(site).ToDense(ScalarType.Float32).eq(before).all().item<bool>(), "the INT8 base changed");
        Assert.Equal(bytes, model.ResidentBytes);
        Assert.All(model.Weights, w => Assert.False(w.Tensor.requires_grad, w.Name));

        var floatModel = ModelCache.Family("llama");
        using var floatRunner = new CachedRunner(floatModel, loraSlots: 2);
        using var int8Runner = new CachedRunner(model, loraSlots: 2);
        using var onFloat = AdapterUnderTest.Read(floatModel, output, floatRunner, loraSlot: 1);
        using var onInt8 = AdapterUnderTest.Read(model, output, int8Runner, loraSlot: 1);
        foreach (var example in Task(40, 3))
        {
            var expected = onInt8.DenseForward(example.TokenIds);
            var actual = onFloat.DenseForward(example.TokenIds);
            double error = actual.sub(expected).pow(2).mean().sqrt().item<float>() / expected.std().item<float>();
            Assert.True(error < 0.1, $"{method}: on the float base the adapter's logits differ by {error:P1} (rms / std) from the INT8 base");
        }
    }

    [Theory]
    [InlineData("lora_rslora_all")]
    [InlineData("prompt")]
    public void Training_on_an_int8_base_leaves_no_tensor_behind(string method)
    {
        var model = ModelCache.Int8("llama");
        Peft.Runtime.Tests.Torch.OwnThread.Run(() =>
        {
            manual_seed(3);
            using var adapter = Create(method, model);
            using var trainer = new AdapterTrainer(model, adapter, Task(10, 24), null, new TrainerOptions { MaxSteps = 40, MicroBatchSize = 8, Seed = 5 });
            for (int i = 0; i < 3; i++) trainer.RunMicroBatch();
            GC.Collect();
            GC.WaitForPendingFinalizers();
            long before = TorchSharp.DisposeScopeManager.Statistics.ThreadTotalLiveCount;
            for (int i = 0; i < 12; i++) trainer.RunMicroBatch();
            GC.Collect();
            GC.WaitForPendingFinalizers();
            Assert.Equal(before, TorchSharp.DisposeScopeManager.Statistics.ThreadTotalLiveCount);
        });
    }

    private string TrainAndServe(string method, Peft.Runtime.Models.CausalLM model)
    {
        manual_seed(3);
        using var adapter = Create(method, model);
        var train = Task(10, 24);
        using var trainer = new AdapterTrainer(model, adapter, train, Task(40, 6),
            new TrainerOptions { LearningRate = method is "prompt" or "prefix" ? 0.1 : 1e-2, MaxSteps = 30, MicroBatchSize = 8, WarmupSteps = 2, Seed = 5, EvalEvery = 0 });
        double before = trainer.MeanLoss(train);
        TrainingProgress? last = null;
        while (!trainer.IsDone) last = trainer.RunMicroBatch() ?? last;
        double after = trainer.MeanLoss(train);
        Assert.True(after < before * 0.8, $"{method}: loss {before:F3} → {after:F3}");
        Assert.NotNull(last!.EvalLoss);
        Assert.Equal(30, last.Step);

        string output = Path.Combine(_dir, method);
        PeftAdapterWriter.Write(adapter, output);
        Assert.Equal(["adapter_config.json", "adapter_model.safetensors"], Directory.GetFiles(output).Select(Path.GetFileName).Order());
        Assert.DoesNotContain(Directory.GetDirectories(_dir), d => Path.GetFileName(d).StartsWith('.'));

        using var scope = NewDisposeScope();
        using var runner = new CachedRunner(model, loraSlots: 2);
        using var served = AdapterUnderTest.Read(model, output, runner, loraSlot: 1);
        Assert.Equal(adapter.PeftType, served.Host.PeftType);
        adapter.Training = false;
        foreach (var example in Task(40, 3))
        {
            var expected = trainer.Logits([example], out var starts).narrow(0, starts[0], example.Length);
            // The trainer's forward records for autograd and multiplies with libtorch; serving multiplies with the float32
            // kernel: the same products summed in another order, so the logits may differ by a few ulps.
            GoldenAssert.Close(expected.cpu(), served.DenseForward(example.TokenIds), $"{method} served vs trained", tolerance: 3e-5);
        }
        return output;
    }

    [Fact]
    public void The_same_seed_gives_the_same_adapter()
    {
        var model = ModelCache.Family("llama");
        byte[] Run(string name)
        {
            manual_seed(11);
            using var adapter = new TrainableLora(model, new LoraTrainingConfig { Rank = 4, Dropout = 0.1 });
            using var trainer = new AdapterTrainer(model, adapter, Task(10, 24), null, new TrainerOptions { MaxSteps = 6, MicroBatchSize = 4, Seed = 9 });
            while (!trainer.IsDone) trainer.RunMicroBatch();
            PeftAdapterWriter.Write(adapter, Path.Combine(_dir, name));
            return File.ReadAllBytes(Path.Combine(_dir, name, AdapterFiles.WeightsFile));
        }
        Assert.Equal(Run("a"), Run("b"));
    }

    [Fact]
    public void A_run_resumed_from_a_checkpoint_ends_exactly_where_an_uninterrupted_run_does()
    {
        var model = ModelCache.Family("llama");
        var options = new TrainerOptions { MaxSteps = 10, MicroBatchSize = 4, GradientAccumulation = 2, Seed = 9, LearningRate = 1e-2 };
        (AdapterTrainer, TrainableAdapter) Fresh()
        {
            manual_seed(11);
            var adapter = new TrainableLora(model, new LoraTrainingConfig { Rank = 4, Dropout = 0.2 });
            return (new AdapterTrainer(model, adapter, Task(10, 24), null, options), adapter);
        }

        var (straight, a1) = Fresh();
        while (!straight.IsDone) straight.RunMicroBatch();
        PeftAdapterWriter.Write(a1, Path.Combine(_dir, "straight"));

        var (first, a2) = Fresh();
        for (int i = 0; i < 8; i++) first.RunMicroBatch();   // 4 optimizer steps
        string checkpoint = Path.Combine(_dir, "checkpoint");
        first.SaveCheckpoint(checkpoint);
        first.RunMicroBatch();
        Assert.Throws<InvalidOperationException>(() => first.SaveCheckpoint(checkpoint));   // not between optimizer steps
        first.Dispose();
        a2.Dispose();

        var (resumed, a3) = Fresh();
        resumed.LoadCheckpoint(checkpoint);
        Assert.Equal(4, resumed.Step);
        while (!resumed.IsDone) resumed.RunMicroBatch();
        PeftAdapterWriter.Write(a3, Path.Combine(_dir, "resumed"));

        Assert.Equal(File.ReadAllBytes(Path.Combine(_dir, "straight", AdapterFiles.WeightsFile)),
            File.ReadAllBytes(Path.Combine(_dir, "resumed", AdapterFiles.WeightsFile)));
        foreach (var d in new IDisposable[] { straight, a1, resumed, a3 }) d.Dispose();
    }

    [Fact]
    public void The_lora_config_is_what_peft_writes()
    {
        var model = ModelCache.Family("llama");
        using var adapter = new TrainableLora(model, new LoraTrainingConfig { Rank = 4, Alpha = 8, TargetModules = ["v_proj", "q_proj"] }) { BaseModelPath = "llama/base" };
        PeftAdapterWriter.Write(adapter, Path.Combine(_dir, "cfg"));
        var host = (LoraAdapter)AdapterReader.Read("cfg", Path.Combine(_dir, "cfg"), BaseModel.Of(model));
        Assert.Equal(["q_proj", "v_proj"], host.TargetModules);
        Assert.All(host.Modules.Values, m => Assert.Equal(2.0, m.Scaling));
        using var weights = SafetensorsFile.Open(Path.Combine(_dir, "cfg", AdapterFiles.WeightsFile));
        Assert.Equal("pt", weights.Metadata["format"]);
        Assert.Contains("base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight", weights.Names);
        host.Dispose();
    }

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }
}
