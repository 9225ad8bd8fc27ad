namespace Peft.Runtime.Engine.Output;

/// <summary>Turns generated token ids into text as they arrive. A model without a tokenizer streams ids only.</summary>
public interface ITextDecoder
{
    /// <summary>A fresh incremental decoder for one sequence's output.</summary>
    IIncrementalDecoder Create();

    /// <summary>One token's text on its own (for logprobs).</summary>
    string TokenText(int tokenId);
}

public interface IIncrementalDecoder
{
    /// <summary>Text newly completed by this token; never a partial UTF-8 character.</summary>
    string Push(int tokenId);

    /// <summary>Whatever is still pending at the end.</summary>
    string Flush();
}

/// <summary>For models served without a tokenizer: no text, ids only.</summary>
public sealed class NoTextDecoder : ITextDecoder, IIncrementalDecoder
{
    public static NoTextDecoder Instance { get; } = new();

    public IIncrementalDecoder Create() => this;

    public string TokenText(int tokenId) => "";

    public string Push(int tokenId) => "";

    public string Flush() => "";
}
