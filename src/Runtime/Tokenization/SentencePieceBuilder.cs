using System.Globalization;
using System.Text;
using Google.Protobuf;
using Microsoft.ML.Tokenizers;

namespace Peft.Runtime.Tokenization;

/// <summary>
/// Builds a SentencePiece <see cref="TokenizerModel"/> from tokenizer.model through Microsoft.ML.Tokenizers'
/// <see cref="LlamaTokenizer"/>. Only what that library encodes the way SentencePiece does is accepted: BPE
/// models with the identity normalizer and escaped whitespace; the rest is refused by field name.
/// </summary>
internal static class SentencePieceBuilder
{
    public const string FileName = "tokenizer.model";

    public static TokenizerModel Build(string path)
    {
        byte[] data;
        SentencePieceModelFile proto;
        try
        {
            data = File.ReadAllBytes(path);
            proto = SentencePieceModelFile.Parse(data);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidProtocolBufferException)
        {
            throw new TokenizerLoadException($"{FileName} is not a readable SentencePiece model: {e.Message}", e);
        }
        Check(proto);

        SentencePieceTokenizer library;
        try
        {
            library = LlamaTokenizer.Create(new MemoryStream(data), addBeginOfSentence: false, addEndOfSentence: false);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or FormatException or NotSupportedException)
        {
            throw new TokenizerLoadException($"{FileName}: Microsoft.ML.Tokenizers rejected the model: {e.Message}", e);
        }

        var vocabulary = new Dictionary<string, int>(StringComparer.Ordinal);
        var added = new List<AddedToken>();
        for (int id = 0; id < proto.Pieces.Count; id++)
        {
            SentencePiece piece = proto.Pieces[id];
            vocabulary.TryAdd(piece.Text, id);
            // As transformers' converter does: control and unknown pieces are special added tokens (so "</s>" in a
            // prompt is that token), user-defined pieces are plain added tokens.
            if (piece.Type is SentencePieceType.Control or SentencePieceType.Unknown or SentencePieceType.UserDefined)
                added.Add(new AddedToken(id, piece.Text, Special: piece.Type != SentencePieceType.UserDefined));
        }

        var defaults = new SpecialTokenDefaults(
            Prefix: PieceId(proto, proto.BosId) is { } bos ? [bos] : [],
            Suffix: [],
            Bos: PieceId(proto, proto.BosId),
            Eos: PieceId(proto, proto.EosId),
            Unk: PieceId(proto, proto.UnkId),
            Pad: PieceId(proto, proto.PadId));
        return new TokenizerModel(FileName, new SentencePieceEncoder(library), vocabulary, BytesOf, added, defaults,
            StripLeadingSpace: proto.AddDummyPrefix);
    }

    /// <summary>
    /// What a piece decodes to, as Hugging Face's decoder for these models does it: "&lt;0xNN&gt;" is that byte
    /// (ByteFallback), anything else is its text with '▁' read as a space.
    /// </summary>
    public static byte[] BytesOf(string piece)
    {
        if (piece.Length == 6 && piece.StartsWith("<0x", StringComparison.Ordinal) && piece[5] == '>'
            && byte.TryParse(piece.AsSpan(3, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out byte value))
            return [value];
        return Encoding.UTF8.GetBytes(piece.Replace('▁', ' '));
    }

    private static int? PieceId(SentencePieceModelFile proto, int id) => id >= 0 && id < proto.Pieces.Count ? id : null;

    private static void Check(SentencePieceModelFile proto)
    {
        if (proto.Pieces.Count == 0)
            throw new TokenizerLoadException($"{FileName}: the model has no pieces (is it a SentencePiece model?)");
        if (proto.ModelType != SentencePieceModelType.Bpe)
            throw new TokenizerLoadException($"{FileName}: trainer_spec.model_type {proto.ModelType.ToString().ToUpperInvariant()} is not supported (only BPE)");
        if (proto.TreatWhitespaceAsSuffix)
            throw new TokenizerLoadException($"{FileName}: trainer_spec.treat_whitespace_as_suffix is not supported");
        if (!proto.EscapeWhitespaces)
            throw new TokenizerLoadException($"{FileName}: normalizer_spec.escape_whitespaces=false is not supported");
        if (proto.PrecompiledCharsmapLength > 0)
            throw new TokenizerLoadException(
                $"{FileName}: normalizer_spec '{proto.NormalizerName}' has a precompiled_charsmap; only the identity normalizer is supported");
    }
}
