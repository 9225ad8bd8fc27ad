using Google.Protobuf;

namespace Peft.Runtime.Tokenization;

/// <summary>
/// The parts of a SentencePiece <c>tokenizer.model</c> (a serialized <c>ModelProto</c>) that decide how its
/// tokens decode and whether Microsoft.ML.Tokenizers will encode it the way SentencePiece does. Read with
/// Google.Protobuf's wire-format reader; field numbers are in <see cref="SentencePieceFields"/>.
/// Defaults are those of the proto2 schema, for fields a file leaves out.
/// </summary>
internal sealed class SentencePieceModelFile
{
    public List<SentencePiece> Pieces { get; } = [];
    public SentencePieceModelType ModelType { get; private set; } = SentencePieceModelType.Unigram;
    public bool ByteFallback { get; private set; }
    public bool TreatWhitespaceAsSuffix { get; private set; }
    public int UnkId { get; private set; }
    public int BosId { get; private set; } = 1;
    public int EosId { get; private set; } = 2;
    public int PadId { get; private set; } = -1;
    public string NormalizerName { get; private set; } = "";
    public int PrecompiledCharsmapLength { get; private set; }
    public bool AddDummyPrefix { get; private set; } = true;
    public bool EscapeWhitespaces { get; private set; } = true;

    /// <exception cref="InvalidProtocolBufferException">the bytes are not a protobuf message.</exception>
    public static SentencePieceModelFile Parse(byte[] data)
    {
        var model = new SentencePieceModelFile();
        var input = new CodedInputStream(data);
        for (uint tag; (tag = input.ReadTag()) != 0;)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case SentencePieceFields.ModelPieces: model.Pieces.Add(ReadPiece(input.ReadBytes())); break;
                case SentencePieceFields.ModelTrainerSpec: model.ReadTrainerSpec(input.ReadBytes()); break;
                case SentencePieceFields.ModelNormalizerSpec: model.ReadNormalizerSpec(input.ReadBytes()); break;
                default: input.SkipLastField(); break;
            }
        }
        return model;
    }

    private static SentencePiece ReadPiece(ByteString bytes)
    {
        string text = "";
        float score = 0;
        var type = SentencePieceType.Normal;
        CodedInputStream input = bytes.CreateCodedInput();
        for (uint tag; (tag = input.ReadTag()) != 0;)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case SentencePieceFields.PieceText: text = input.ReadString(); break;
                case SentencePieceFields.PieceScore: score = input.ReadFloat(); break;
                case SentencePieceFields.PieceType: type = (SentencePieceType)input.ReadEnum(); break;
                default: input.SkipLastField(); break;
            }
        }
        return new SentencePiece(text, score, type);
    }

    private void ReadTrainerSpec(ByteString bytes)
    {
        CodedInputStream input = bytes.CreateCodedInput();
        for (uint tag; (tag = input.ReadTag()) != 0;)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case SentencePieceFields.TrainerModelType: ModelType = (SentencePieceModelType)input.ReadEnum(); break;
                case SentencePieceFields.TrainerTreatWhitespaceAsSuffix: TreatWhitespaceAsSuffix = input.ReadBool(); break;
                case SentencePieceFields.TrainerByteFallback: ByteFallback = input.ReadBool(); break;
                case SentencePieceFields.TrainerUnkId: UnkId = input.ReadInt32(); break;
                case SentencePieceFields.TrainerBosId: BosId = input.ReadInt32(); break;
                case SentencePieceFields.TrainerEosId: EosId = input.ReadInt32(); break;
                case SentencePieceFields.TrainerPadId: PadId = input.ReadInt32(); break;
                default: input.SkipLastField(); break;
            }
        }
    }

    private void ReadNormalizerSpec(ByteString bytes)
    {
        CodedInputStream input = bytes.CreateCodedInput();
        for (uint tag; (tag = input.ReadTag()) != 0;)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case SentencePieceFields.NormalizerName: NormalizerName = input.ReadString(); break;
                case SentencePieceFields.NormalizerPrecompiledCharsmap: PrecompiledCharsmapLength = input.ReadBytes().Length; break;
                case SentencePieceFields.NormalizerAddDummyPrefix: AddDummyPrefix = input.ReadBool(); break;
                case SentencePieceFields.NormalizerEscapeWhitespaces: EscapeWhitespaces = input.ReadBool(); break;
                default: input.SkipLastField(); break;
            }
        }
    }
}

internal sealed record SentencePiece(string Text, float Score, SentencePieceType Type);

internal enum SentencePieceType
{
    Normal = 1,
    Unknown = 2,
    Control = 3,
    UserDefined = 4,
    Unused = 5,
    Byte = 6,
}

internal enum SentencePieceModelType
{
    Unigram = 1,
    Bpe = 2,
    Word = 3,
    Char = 4,
}
