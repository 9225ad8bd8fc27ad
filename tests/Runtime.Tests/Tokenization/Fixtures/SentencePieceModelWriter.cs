using Google.Protobuf;
using Peft.Runtime.Tokenization;

namespace Peft.Runtime.Tests.Tokenization.Fixtures;

/// <summary>
/// Writes a SentencePiece tokenizer.model (a serialized ModelProto) with Google.Protobuf's wire-format writer:
/// the pieces, the trainer_spec fields that say BPE with byte fallback and which ids are unk/bos/eos/pad, and
/// an identity normalizer_spec. Field numbers come from <see cref="SentencePieceFields"/>, the same constants the
/// runtime reader uses, and they are those of sentencepiece_model.proto.
/// </summary>
internal static class SentencePieceModelWriter
{
    public sealed record Piece(string Text, float Score, SentencePieceType Type);

    public static byte[] Write(IReadOnlyList<Piece> pieces, int unkId, int bosId, int eosId, int padId,
        SentencePieceModelType modelType = SentencePieceModelType.Bpe)
    {
        using var stream = new MemoryStream();
        var output = new CodedOutputStream(stream);
        foreach (Piece piece in pieces)
            WriteMessage(output, SentencePieceFields.ModelPieces, o =>
            {
                WriteString(o, SentencePieceFields.PieceText, piece.Text);
                o.WriteTag(SentencePieceFields.PieceScore, WireFormat.WireType.Fixed32);
                o.WriteFloat(piece.Score);
                WriteVarint(o, SentencePieceFields.PieceType, (int)piece.Type);
            });
        WriteMessage(output, SentencePieceFields.ModelTrainerSpec, o =>
        {
            WriteVarint(o, SentencePieceFields.TrainerModelType, (int)modelType);
            WriteVarint(o, SentencePieceFields.TrainerVocabSize, pieces.Count);
            WriteVarint(o, SentencePieceFields.TrainerByteFallback, 1);
            WriteVarint(o, SentencePieceFields.TrainerUnkId, unkId);
            WriteVarint(o, SentencePieceFields.TrainerBosId, bosId);
            WriteVarint(o, SentencePieceFields.TrainerEosId, eosId);
            WriteVarint(o, SentencePieceFields.TrainerPadId, padId);
        });
        WriteMessage(output, SentencePieceFields.ModelNormalizerSpec, o =>
        {
            WriteString(o, SentencePieceFields.NormalizerName, "identity");
            WriteVarint(o, SentencePieceFields.NormalizerAddDummyPrefix, 1);
            WriteVarint(o, SentencePieceFields.NormalizerRemoveExtraWhitespaces, 0);
            WriteVarint(o, SentencePieceFields.NormalizerEscapeWhitespaces, 1);
        });
        output.Flush();
        return stream.ToArray();
    }

    private static void WriteMessage(CodedOutputStream output, int field, Action<CodedOutputStream> body)
    {
        using var stream = new MemoryStream();
        var inner = new CodedOutputStream(stream);
        body(inner);
        inner.Flush();
        output.WriteTag(field, WireFormat.WireType.LengthDelimited);
        output.WriteBytes(ByteString.CopyFrom(stream.ToArray()));
    }

    private static void WriteString(CodedOutputStream output, int field, string value)
    {
        output.WriteTag(field, WireFormat.WireType.LengthDelimited);
        output.WriteString(value);
    }

    private static void WriteVarint(CodedOutputStream output, int field, int value)
    {
        output.WriteTag(field, WireFormat.WireType.Varint);
        output.WriteInt32(value); // negative int32 (pad_id -1) is a 10-byte varint, as protobuf specifies
    }
}
