using Peft.Runtime.Adapters.Serving;
using Peft.Runtime.Adapters.VirtualTokens;
using TorchSharp;
using static TorchSharp.torch;

namespace Peft.Runtime.Adapters.MultitaskPromptTuning;

/// <summary>
/// PEFT multitask prompt tuning. Keys: <c>prompt_embeddings</c> E [nvt, hidden] (shared), <c>prefix_task_cols</c>
/// C [tasks, nvt, ranks] and <c>prefix_task_rows</c> R [tasks, ranks, hidden]. A request for task t gets the virtual
/// tokens E ⊙ (C[t] · R[t]), placed like prompt tuning's. PEFT 0.13 did not load C and R back from the file (they
/// kept their random init); later versions do, and so does this server.
/// </summary>
internal sealed class MultitaskPromptTuningMethod : IAdapterMethod
{
    public const string Type = "MULTITASK_PROMPT_TUNING";

    public string PeftType => Type;

    public HostAdapter Read(AdapterFiles files, AdapterWeights weights, BaseModel baseModel)
    {
        var f = AdapterReader.Fields(files);
        var config = PromptLearningConfig.Read(f);
        int hidden = baseModel.Config.HiddenSize;
        if (config.TokenDim is { } dim && dim != hidden)
            throw new AdapterLoadException($"adapter '{files.Name}': token_dim {dim} does not match the base model's hidden_size {hidden}");
        int tasks = f.OptionalInt("num_tasks") ?? 1, ranks = f.OptionalInt("num_ranks") ?? 1;
        if (tasks < 1) throw f.Invalid("num_tasks", "a positive integer");
        if (ranks < 1) throw f.Invalid("num_ranks", "a positive integer");
        int nvt = config.VirtualTokens;
        var shared = weights.Take(VirtualTokenAdapter.PromptEmbeddingsKey, [nvt, hidden], "num_virtual_tokens × hidden_size");
        var cols = weights.Take("prefix_task_cols", [tasks, nvt, ranks], "num_tasks × num_virtual_tokens × num_ranks");
        var rows = weights.Take("prefix_task_rows", [tasks, ranks, hidden], "num_tasks × num_ranks × hidden_size");
        var prompts = weights.Own(TaskPrompts(shared, cols, rows));
        foreach (var t in (Tensor[])[shared, cols, rows]) weights.Drop(t);
        return new MultitaskPromptAdapter(files.Name, prompts);
    }

    /// <summary>The math, written once: per task t, E ⊙ (C[t] · R[t]) → [tasks, nvt, hidden].</summary>
    public static Tensor TaskPrompts(Tensor shared, Tensor cols, Tensor rows) => cols.matmul(rows).mul(shared.unsqueeze(0));
}

/// <summary>A multitask prompt-tuning adapter: each task's virtual tokens, precomputed; a request binds to its task's.</summary>
public sealed class MultitaskPromptAdapter(string name, Tensor prompts) : HostAdapter(name, MultitaskPromptTuningMethod.Type)
{
    /// <summary>[tasks, nvt, hidden]</summary>
    public Tensor Prompts { get; } = prompts;

    public override long SizeBytes => Bytes(Prompts);

    public override int VirtualTokens => (int)Prompts.size(1);

    public override int Tasks => (int)Prompts.size(0);

    public override DeviceAdapter ToDevice(DeviceContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return new Device(context.Copy(Prompts));
    }

    protected override void DisposeTensors() => Prompts.Dispose();

    /// <summary>One binding per task, made on first use; the task id was validated at submission.</summary>
    private sealed class Device(Tensor prompts) : DeviceAdapter
    {
        private readonly Dictionary<int, VirtualTokenBinding> _bindings = [];

        public override AdapterBinding Bind(int? task)
        {
            int t = task ?? throw new InvalidOperationException("multitask prompt tuning needs a task id");
            if (!_bindings.TryGetValue(t, out var binding))
            {
                binding = new VirtualTokenBinding(prompts[t].DetachFromDisposeScope());
                _bindings[t] = binding;
            }
            return binding;
        }

        protected override void Dispose(bool disposing)
        {
            if (!disposing) return;
            foreach (var b in _bindings.Values) b.Embeddings.Dispose();
            prompts.Dispose();
        }
    }
}
