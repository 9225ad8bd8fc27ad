namespace Peft.Tools.DemoModel.Tokenizer;

/// <summary>
/// GPT-2's <c>bytes_to_unicode</c>: every byte gets a printable character, so that byte-level tokens are strings
/// that JSON and merges files can hold. Printable Latin-1 bytes (<c>!</c>..<c>~</c>, <c>¡</c>..<c>¬</c>,
/// <c>®</c>..<c>ÿ</c>) map to themselves; the other 68 bytes map, in byte order, to U+0100 onwards (space is
/// <c>Ġ</c>, newline is <c>Ċ</c>).
/// </summary>
internal static class ByteLevelAlphabet
{
    private static readonly char[] ByteToChar = BuildByteToChar();
    private static readonly Dictionary<char, byte> CharToByte = BuildCharToByte();

    public static char ToChar(byte b) => ByteToChar[b];

    public static bool TryToByte(char c, out byte b) => CharToByte.TryGetValue(c, out b);

    /// <summary>
    /// The 256 symbols in code-point order, which is the order Hugging Face's BPE trainer gives the initial alphabet
    /// ids (and, for these ranges, the same as GPT-2's vocab.json).
    /// </summary>
    public static IReadOnlyList<char> SymbolsInCodePointOrder { get; } = [.. ByteToChar.Order()];

    private static char[] BuildByteToChar()
    {
        var map = new char[256];
        int next = 256;
        for (int b = 0; b < 256; b++)
        {
            bool printable = b is >= '!' and <= '~' or >= 0xA1 and <= 0xAC or >= 0xAE and <= 0xFF;
            map[b] = printable ? (char)b : (char)next++;
        }
        return map;
    }

    private static Dictionary<char, byte> BuildCharToByte()
    {
        var map = new Dictionary<char, byte>(256);
        for (int b = 0; b < 256; b++) map.Add(ByteToChar[b], (byte)b);
        return map;
    }
}
