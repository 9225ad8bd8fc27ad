using System.Text;

namespace Peft.Runtime.Tokenization;

/// <summary>
/// Turns a stream of generated token ids into text as it arrives. Create one per sequence with
/// <see cref="ModelTokenizer.CreateDetokenizer"/>; not thread-safe.
/// </summary>
/// <remarks>
/// Semantics: concat(Push(t) for t in ids) + Flush() == tokenizer.Decode(ids, skipSpecialTokens), exactly.
/// Push never returns part of a character: bytes of a UTF-8 sequence that is still incomplete (an emoji split
/// over byte-level BPE tokens, or SentencePiece byte-fallback tokens &lt;0xF0&gt;&lt;0x9F&gt;...) wait here until the
/// character completes. Bytes that can no longer become valid UTF-8 come out as U+FFFD at once, as Decode does.
/// Every token's bytes are independent of its neighbours (<see cref="TokenTable"/>), so unlike detokenizers that
/// re-decode a window of recent tokens (vLLM's prefix/read offsets), each Push costs O(bytes of that token).
/// </remarks>
public sealed class IncrementalDetokenizer
{
    private readonly TokenTable _tokens;
    private readonly bool _skipSpecialTokens;
    private readonly bool _stripLeadingSpace;
    private readonly Decoder _utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false).GetDecoder();
    private char[] _chars = new char[16];
    private bool _emittedAny;
    private bool _flushed;

    internal IncrementalDetokenizer(TokenTable tokens, bool skipSpecialTokens, bool stripLeadingSpace)
    {
        _tokens = tokens;
        _skipSpecialTokens = skipSpecialTokens;
        _stripLeadingSpace = stripLeadingSpace;
    }

    /// <summary>The text this token completes; "" while a character is still incomplete.</summary>
    /// <exception cref="InvalidOperationException">after <see cref="Flush"/>.</exception>
    public string Push(int tokenId)
    {
        if (_flushed)
            throw new InvalidOperationException("the detokenizer was flushed; create a new one for a new sequence");
        if (_skipSpecialTokens && _tokens.IsSpecial(tokenId))
            return string.Empty;
        return Decode(_tokens.BytesOf(tokenId), flush: false);
    }

    /// <summary>Ends the stream: whatever is left, with an incomplete trailing character as U+FFFD.</summary>
    public string Flush()
    {
        if (_flushed)
            return string.Empty;
        _flushed = true;
        return Decode([], flush: true);
    }

    private string Decode(ReadOnlySpan<byte> bytes, bool flush)
    {
        int needed = _utf8.GetCharCount(bytes, flush);
        if (needed > _chars.Length)
            _chars = new char[Math.Max(needed, _chars.Length * 2)];
        int count = _utf8.GetChars(bytes, _chars, flush);
        if (count == 0)
            return string.Empty;
        ReadOnlySpan<char> text = _chars.AsSpan(0, count);
        if (!_emittedAny)
        {
            _emittedAny = true;
            // SentencePiece's dummy prefix: Decode drops one space at the very start of the text.
            if (_stripLeadingSpace && text[0] == ' ')
                text = text[1..];
        }
        return text.Length == 0 ? string.Empty : new string(text);
    }
}
