using System.Globalization;
using System.Text;

namespace Peft.Runtime.Adapters;

/// <summary>
/// Client-supplied text (ids, paths, file names) quoted for error messages: control characters escaped and long
/// values cut, so a hostile value cannot forge log lines or flood a response.
/// </summary>
internal static class MessageText
{
    public const int MaxQuoted = 300;

    public static string Quote(string value)
    {
        var text = new StringBuilder(Math.Min(value.Length, MaxQuoted) + 2).Append('\'');
        foreach (char c in value.Length > MaxQuoted ? value[..MaxQuoted] : value)
        {
            if (char.IsControl(c)) text.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
            else text.Append(c);
        }
        text.Append('\'');
        if (value.Length > MaxQuoted) text.Append(CultureInfo.InvariantCulture, $"… ({value.Length} characters)");
        return text.ToString();
    }

    public static string Describe(char c) =>
        char.IsControl(c) || char.IsWhiteSpace(c) ? $"character U+{(int)c:X4}" : $"character '{c}'";
}
