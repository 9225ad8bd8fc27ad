using System.Globalization;
using System.Text;

namespace Peft.Runtime.Safetensors;

/// <summary>
/// Serialises a header exactly as the reference implementation (serde_json, compact) does: <c>__metadata__</c>
/// first, then the tensors in layout order, each as <c>{"dtype":..,"shape":[..],"data_offsets":[b,e]}</c>, then
/// spaces up to a multiple of 8 bytes so the data region starts 8-aligned.
/// </summary>
internal static class HeaderWriter
{
    public const int Alignment = 8;

    // Throws on a lone surrogate instead of silently writing U+FFFD: a key must read back as it was written.
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static byte[] Write(IReadOnlyList<PlannedTensor> tensors, IReadOnlyDictionary<string, string>? metadata)
    {
        var json = new StringBuilder();
        json.Append('{');
        bool first = true;
        if (metadata is not null)
        {
            AppendString(json, HeaderParser.MetadataKey);
            json.Append(":{");
            // Sorted so the same metadata always gives the same bytes (the reference writes a hash map's order).
            bool firstPair = true;
            foreach (var (key, value) in metadata.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                ArgumentNullException.ThrowIfNull(value, $"{nameof(metadata)}['{key}']");
                if (!firstPair)
                    json.Append(',');
                AppendString(json, key);
                json.Append(':');
                AppendString(json, value);
                firstPair = false;
            }
            json.Append('}');
            first = false;
        }

        foreach (var tensor in tensors)
        {
            if (!first)
                json.Append(',');
            AppendString(json, tensor.Name);
            json.Append(":{\"dtype\":\"").Append(tensor.Dtype.ToString()).Append("\",\"shape\":[");
            json.AppendJoin(',', tensor.Shape.Select(d => d.ToString(CultureInfo.InvariantCulture)));
            json.Append(CultureInfo.InvariantCulture, $"],\"data_offsets\":[{tensor.Begin},{tensor.End}]}}");
            first = false;
        }
        json.Append('}');

        try
        {
            int length = StrictUtf8.GetByteCount(json.ToString());
            json.Append(' ', (Alignment - length % Alignment) % Alignment);
            return StrictUtf8.GetBytes(json.ToString());
        }
        catch (EncoderFallbackException e)
        {
            throw new ArgumentException("a metadata key or value is not valid Unicode (lone surrogate)", nameof(metadata), e);
        }
    }

    /// <summary>A JSON string with serde_json's escapes: quote, backslash, and control characters; nothing else.</summary>
    private static void AppendString(StringBuilder json, string text)
    {
        json.Append('"');
        foreach (char c in text)
        {
            switch (c)
            {
                case '"': json.Append("\\\""); break;
                case '\\': json.Append("\\\\"); break;
                case '\b': json.Append("\\b"); break;
                case '\f': json.Append("\\f"); break;
                case '\n': json.Append("\\n"); break;
                case '\r': json.Append("\\r"); break;
                case '\t': json.Append("\\t"); break;
                case < ' ': json.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}"); break;
                default: json.Append(c); break;
            }
        }
        json.Append('"');
    }
}
