using System.Globalization;
using System.Text;

namespace Peft.ChatTemplates.Jinja.Runtime;

/// <summary>Python's view of strings: sequences of code points, with Python's whitespace and repr rules.</summary>
internal static class PyStrings
{
    /// <summary>Python's <c>str.isspace</c> per character: .NET's whitespace plus the separators \x1c-\x1f.</summary>
    public static bool IsWhitespace(char c) => char.IsWhiteSpace(c) || c is >= '\x1c' and <= '\x1f';

    public static bool HasSurrogates(string s) => s.AsSpan().IndexOfAnyInRange('\uD800', '\uDFFF') >= 0;

    public static IEnumerable<object?> Characters(string s)
    {
        if (!HasSurrogates(s))
        {
            foreach (var c in s)
            {
                yield return c.ToString();
            }

            yield break;
        }

        for (var i = 0; i < s.Length; i += char.IsSurrogatePair(s, i) ? 2 : 1)
        {
            yield return char.IsSurrogatePair(s, i) ? s.Substring(i, 2) : s[i].ToString();
        }
    }

    public static int CodePointCount(string s)
    {
        if (!HasSurrogates(s))
        {
            return s.Length;
        }

        var count = 0;
        for (var i = 0; i < s.Length; i += char.IsSurrogatePair(s, i) ? 2 : 1)
        {
            count++;
        }

        return count;
    }

    public static bool TryCharacterAt(string s, long index, out object? character)
    {
        var characters = HasSurrogates(s) ? Characters(s).Cast<string>().ToList() : null;
        var count = characters?.Count ?? s.Length;
        var position = index < 0 ? index + count : index;
        character = null;
        if (position < 0 || position >= count)
        {
            return false;
        }

        character = characters is null ? s[(int)position].ToString() : characters[(int)position];
        return true;
    }

    public static string Strip(string s, string? chars, bool left, bool right)
    {
        var start = 0;
        var end = s.Length;
        bool Strippable(char c) => chars is null ? IsWhitespace(c) : chars.Contains(c, StringComparison.Ordinal);
        while (left && start < end && Strippable(s[start]))
        {
            start++;
        }

        while (right && end > start && Strippable(s[end - 1]))
        {
            end--;
        }

        return s[start..end];
    }

    /// <summary>
    /// Python's <c>repr(str)</c>: single quotes unless the text holds a single quote and no double quote, with
    /// backslash escapes for the quote, backslash, control and non-printable characters.
    /// </summary>
    public static void AppendRepr(StringBuilder builder, string s)
    {
        var quote = s.Contains('\'', StringComparison.Ordinal) && !s.Contains('"', StringComparison.Ordinal) ? '"' : '\'';
        builder.Append(quote);
        foreach (var rune in s.EnumerateRunes())
        {
            var value = rune.Value;
            if (value == quote || value == '\\')
            {
                builder.Append('\\').Append((char)value);
            }
            else if (value == '\t')
            {
                builder.Append("\\t");
            }
            else if (value == '\n')
            {
                builder.Append("\\n");
            }
            else if (value == '\r')
            {
                builder.Append("\\r");
            }
            else if (IsPrintable(rune))
            {
                builder.Append(rune.ToString());
            }
            else if (value <= 0xFF)
            {
                builder.Append(CultureInfo.InvariantCulture, $"\\x{value:x2}");
            }
            else if (value <= 0xFFFF)
            {
                builder.Append(CultureInfo.InvariantCulture, $"\\u{value:x4}");
            }
            else
            {
                builder.Append(CultureInfo.InvariantCulture, $"\\U{value:x8}");
            }
        }

        builder.Append(quote);
    }

    private static bool IsPrintable(Rune rune)
    {
        if (rune.Value == ' ')
        {
            return true;
        }

        var category = Rune.GetUnicodeCategory(rune);
        return category is not (UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.Surrogate
            or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned or UnicodeCategory.LineSeparator
            or UnicodeCategory.ParagraphSeparator or UnicodeCategory.SpaceSeparator);
    }

    /// <summary>Python's <c>str.splitlines()</c> line boundaries.</summary>
    public static List<string> SplitLines(string s, bool keepEnds)
    {
        var lines = new List<string>();
        var start = 0;
        var i = 0;
        while (i < s.Length)
        {
            var c = s[i];
            var width = c == '\r' && i + 1 < s.Length && s[i + 1] == '\n' ? 2 : 1;
            if (c is '\n' or '\r' or '\v' or '\f' or '\x1c' or '\x1d' or '\x1e' or '\x85' or '\u2028' or '\u2029')
            {
                lines.Add(s[start..(keepEnds ? i + width : i)]);
                i += width;
                start = i;
                continue;
            }

            i++;
        }

        if (start < s.Length)
        {
            lines.Add(s[start..]);
        }

        return lines;
    }

    /// <summary>Python's <c>str.split(sep, maxsplit)</c>; a null separator splits on runs of whitespace.</summary>
    public static List<object?> Split(string s, string? separator, long maxSplit)
    {
        var parts = new List<object?>();
        if (separator is null)
        {
            var i = 0;
            while (true)
            {
                while (i < s.Length && IsWhitespace(s[i]))
                {
                    i++;
                }

                if (i >= s.Length)
                {
                    break;
                }

                if (maxSplit >= 0 && parts.Count >= maxSplit)
                {
                    parts.Add(s[i..]);
                    break;
                }

                var start = i;
                while (i < s.Length && !IsWhitespace(s[i]))
                {
                    i++;
                }

                parts.Add(s[start..i]);
            }

            return parts;
        }

        if (separator.Length == 0)
        {
            throw TemplateError.ValueError("empty separator");
        }

        var position = 0;
        while (maxSplit < 0 || parts.Count < maxSplit)
        {
            var found = s.IndexOf(separator, position, StringComparison.Ordinal);
            if (found < 0)
            {
                break;
            }

            parts.Add(s[position..found]);
            position = found + separator.Length;
        }

        parts.Add(s[position..]);
        return parts;
    }

    /// <summary>Python's <c>str.rsplit(sep, maxsplit)</c>.</summary>
    public static List<object?> RightSplit(string s, string? separator, long maxSplit)
    {
        if (maxSplit < 0)
        {
            return Split(s, separator, maxSplit);
        }

        var reversed = Reverse(s);
        var parts = Split(reversed, separator is null ? null : Reverse(separator), maxSplit);
        parts.Reverse();
        return [.. parts.Select(p => (object?)Reverse((string)p!))];
    }

    public static string Reverse(string s) => string.Concat(Characters(s).Cast<string>().Reverse());

    /// <summary>Python's <c>str.replace(old, new, count)</c>, including the empty-pattern case.</summary>
    public static string Replace(string s, string old, string replacement, long count)
    {
        if (count == 0)
        {
            return s;
        }

        var builder = new StringBuilder();
        var done = 0L;
        if (old.Length == 0)
        {
            foreach (var character in Characters(s).Cast<string>())
            {
                if (count < 0 || done < count)
                {
                    builder.Append(replacement);
                    done++;
                }

                builder.Append(character);
            }

            if (count < 0 || done < count)
            {
                builder.Append(replacement);
            }

            return builder.ToString();
        }

        var position = 0;
        while (count < 0 || done < count)
        {
            var found = s.IndexOf(old, position, StringComparison.Ordinal);
            if (found < 0)
            {
                break;
            }

            builder.Append(s, position, found - position).Append(replacement);
            Py.LimitLength(builder.Length);
            position = found + old.Length;
            done++;
        }

        return builder.Append(s, position, s.Length - position).ToString();
    }

    /// <summary>Python's <c>str.title()</c>: a cased character after an uncased one is upper-cased, others lowered.</summary>
    public static string Title(string s)
    {
        var builder = new StringBuilder(s.Length);
        var previousCased = false;
        foreach (var c in s)
        {
            var cased = char.IsUpper(c) || char.IsLower(c) || CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.TitlecaseLetter;
            builder.Append(cased ? (previousCased ? char.ToLowerInvariant(c) : char.ToUpperInvariant(c)) : c);
            previousCased = cased;
        }

        return builder.ToString();
    }

    /// <summary>Python's <c>str.capitalize()</c>.</summary>
    public static string Capitalize(string s) =>
        s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..].ToLowerInvariant();

    public static bool IsLower(string s) =>
        s.Any(char.IsLower) && !s.Any(c => char.IsUpper(c) || CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.TitlecaseLetter);

    public static bool IsUpper(string s) => s.Any(char.IsUpper) && !s.Any(char.IsLower);
}
