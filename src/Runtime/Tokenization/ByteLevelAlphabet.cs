using System.Text;

namespace Peft.Runtime.Tokenization;

/// <summary>
/// GPT-2's byte-to-character table ("bytes_to_unicode"): byte-level BPE vocabularies spell every UTF-8 byte as
/// one printable character, so a space is 'Ġ' (U+0120) and a newline 'Ċ' (U+010A). Printable Latin-1 bytes stand
/// for themselves; the other 68 bytes map, in byte order, to U+0100 and up.
/// </summary>
internal static class ByteLevelAlphabet
{
    private static readonly char[] ByteToChar = BuildByteToChar();
    private static readonly Dictionary<char, byte> CharToByte = BuildCharToByte();

    public static char CharOf(byte value) => ByteToChar[value];

    /// <summary>The byte-level spelling of UTF-8 text: what a vocabulary entry for that text looks like.</summary>
    public static string Spell(ReadOnlySpan<char> text)
    {
        int byteCount = Encoding.UTF8.GetByteCount(text);
        byte[] bytes = new byte[byteCount];
        Encoding.UTF8.GetBytes(text, bytes);
        return string.Create(byteCount, bytes, static (chars, bytes) =>
        {
            for (int i = 0; i < bytes.Length; i++)
                chars[i] = ByteToChar[bytes[i]];
        });
    }

    /// <summary>
    /// The bytes a token stands for when decoded. As in Hugging Face's ByteLevel decoder, a token whose
    /// characters are all alphabet symbols is mapped back symbol by symbol; any other token (an added token such
    /// as "&lt;|eot id|&gt;" with a space in it) stands for its own UTF-8 bytes.
    /// </summary>
    public static byte[] Unspell(string token)
    {
        byte[] bytes = new byte[token.Length];
        for (int i = 0; i < token.Length; i++)
        {
            if (!CharToByte.TryGetValue(token[i], out bytes[i]))
                return Encoding.UTF8.GetBytes(token);
        }
        return bytes;
    }

    /// <summary>The byte a vocabulary character spells, when it is one of the alphabet's 256.</summary>
    public static bool TryByteOf(char c, out byte value) => CharToByte.TryGetValue(c, out value);

    /// <summary>Whether GPT-2 spells this byte as the Latin-1 character of the same value.</summary>
    public static bool StandsForItself(int b) => b is >= '!' and <= '~' or >= 0xA1 and <= 0xAC or >= 0xAE and <= 0xFF;

    private static char[] BuildByteToChar()
    {
        var table = new char[256];
        int next = 256;
        for (int b = 0; b < 256; b++)
            table[b] = StandsForItself(b) ? (char)b : (char)next++;
        return table;
    }

    private static Dictionary<char, byte> BuildCharToByte()
    {
        var map = new Dictionary<char, byte>(256);
        for (int b = 0; b < 256; b++)
            map[ByteToChar[b]] = (byte)b;
        return map;
    }
}
