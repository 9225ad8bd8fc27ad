using Peft.Tools.DemoModel.Tokenizer;

namespace Peft.Tools.DemoModel.Pretraining;

/// <summary>
/// The sizes chosen on the command line; the tokenizer supplies the rest of the <see cref="LlamaShape"/>. The defaults
/// give about 3.3M parameters (13 MB in float32) with the demo tokenizer's ~1.5k vocabulary.
/// </summary>
internal sealed record ModelSize
{
    public int Hidden { get; init; } = 256;
    public int Layers { get; init; } = 4;
    public int Heads { get; init; } = 4;
    public int KeyValueHeads { get; init; } = 2;
    /// <summary>About 8/3 of the hidden size, rounded to a multiple of 16, as Llama sizes its gated MLP.</summary>
    public int Intermediate { get; init; } = 688;
    public int Context { get; init; } = 256;

    /// <summary>The vocabulary is exactly the tokenizer's; BOS, EOS and padding ids are its specials.</summary>
    public LlamaShape ToShape(BpeModel tokenizer)
    {
        var shape = new LlamaShape
        {
            VocabSize = tokenizer.VocabSize,
            HiddenSize = Hidden,
            IntermediateSize = Intermediate,
            NumLayers = Layers,
            NumHeads = Heads,
            NumKeyValueHeads = KeyValueHeads,
            MaxPositions = Context,
            BosTokenId = tokenizer.BosId,
            EosTokenId = tokenizer.EosId,
            PadTokenId = tokenizer.Specials.FirstOrDefault(s => s.Content == SpecialToken.Pad)?.Id,
        };
        shape.Validate();
        return shape;
    }
}
