namespace Peft.LoadTests.Synthetic;

/// <summary>
/// The shape of a Llama-architecture checkpoint with random weights. <see cref="Bench"/> is the configuration the
/// design document measures the peer on (hidden 1024, 8 layers, 16 heads / 4 KV heads, intermediate 2816,
/// vocab 32000, untied head).
/// </summary>
internal sealed record ModelShape(int Hidden, int Layers, int Heads, int KvHeads, int Intermediate, int Vocab, bool TiedHead = false, int MaxPositions = 4096)
{
    public static ModelShape Bench { get; } = new(1024, 8, 16, 4, 2816, 32000);

    /// <summary>Small enough to check that a benchmark runs end to end in seconds.</summary>
    public static ModelShape Tiny { get; } = new(64, 2, 4, 2, 96, 128, MaxPositions: 256);

    public int HeadDim => Hidden / Heads;

    /// <summary>A directory-safe name that changes whenever the shape does.</summary>
    public string Key => $"llama-h{Hidden}-l{Layers}-a{Heads}-kv{KvHeads}-m{Intermediate}-v{Vocab}{(TiedHead ? "-tied" : "")}";

    /// <summary>Every linear layer of one decoder block as PEFT names it, with its [in, out] features.</summary>
    public IReadOnlyList<(string Module, string Name, int In, int Out)> BlockLinears(int layer)
    {
        string p = $"model.layers.{layer}";
        int q = Heads * HeadDim, kv = KvHeads * HeadDim;
        return
        [
            ($"{p}.self_attn.q_proj", "q_proj", Hidden, q),
            ($"{p}.self_attn.k_proj", "k_proj", Hidden, kv),
            ($"{p}.self_attn.v_proj", "v_proj", Hidden, kv),
            ($"{p}.self_attn.o_proj", "o_proj", q, Hidden),
            ($"{p}.mlp.gate_proj", "gate_proj", Hidden, Intermediate),
            ($"{p}.mlp.up_proj", "up_proj", Hidden, Intermediate),
            ($"{p}.mlp.down_proj", "down_proj", Intermediate, Hidden),
        ];
    }

    /// <summary>All block linears of the model, layer by layer.</summary>
    public IEnumerable<(string Module, string Name, int In, int Out)> Linears() =>
        Enumerable.Range(0, Layers).SelectMany(BlockLinears);

    /// <summary>Parameters of every weight matrix a token passes through (block linears and the head).</summary>
    public long MatmulParameters => Linears().Sum(l => (long)l.In * l.Out) + (long)Vocab * Hidden;
}
