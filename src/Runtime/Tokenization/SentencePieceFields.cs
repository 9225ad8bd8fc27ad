namespace Peft.Runtime.Tokenization;

/// <summary>
/// Field numbers of SentencePiece's <c>ModelProto</c> (sentencepiece_model.proto) that this code reads, and that
/// the test fixture writer writes. Only this subset matters here; everything else in a model file is skipped.
/// </summary>
internal static class SentencePieceFields
{
    // ModelProto
    public const int ModelPieces = 1;            // repeated SentencePiece
    public const int ModelTrainerSpec = 2;       // TrainerSpec
    public const int ModelNormalizerSpec = 3;    // NormalizerSpec

    // ModelProto.SentencePiece
    public const int PieceText = 1;              // string
    public const int PieceScore = 2;             // float
    public const int PieceType = 3;              // enum Type, default NORMAL

    // TrainerSpec
    public const int TrainerModelType = 3;       // enum ModelType, default UNIGRAM
    public const int TrainerVocabSize = 4;       // int32
    public const int TrainerTreatWhitespaceAsSuffix = 24; // bool
    public const int TrainerByteFallback = 35;   // bool
    public const int TrainerUnkId = 40;          // int32, default 0
    public const int TrainerBosId = 41;          // int32, default 1
    public const int TrainerEosId = 42;          // int32, default 2
    public const int TrainerPadId = 43;          // int32, default -1

    // NormalizerSpec
    public const int NormalizerName = 1;                 // string
    public const int NormalizerPrecompiledCharsmap = 2;  // bytes
    public const int NormalizerAddDummyPrefix = 3;       // bool, default true
    public const int NormalizerRemoveExtraWhitespaces = 4; // bool, default true
    public const int NormalizerEscapeWhitespaces = 5;    // bool, default true
}
