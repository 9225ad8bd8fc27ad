using Peft.Runtime.Tokenization;

namespace Peft.Runtime.Engine.Output;

/// <summary>The model's tokenizer as the engine's text decoder: special tokens (EOS, chat markers) are not shown.</summary>
public sealed class TokenizerDecoder(ModelTokenizer tokenizer) : ITextDecoder
{
    public IIncrementalDecoder Create() => new Incremental(tokenizer.CreateDetokenizer(skipSpecialTokens: true));

    public string TokenText(int tokenId) => tokenizer.TokenText(tokenId);

    private sealed class Incremental(IncrementalDetokenizer detokenizer) : IIncrementalDecoder
    {
        public string Push(int tokenId) => detokenizer.Push(tokenId);

        public string Flush() => detokenizer.Flush();
    }
}
