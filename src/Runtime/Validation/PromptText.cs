using System.Text;

namespace Peft.Runtime.Validation;

/// <summary>
/// A text prompt is bounded by its size in UTF-8 bytes before any tokenizer sees it, so the work one request can
/// cause is bounded before it starts. Shared by every edge that takes text (gRPC, HTTP); each maps the message to
/// its own "invalid argument".
/// </summary>
public static class PromptText
{
    /// <summary>Null when <paramref name="text"/> is at most <paramref name="maxBytes"/> UTF-8 bytes; otherwise a
    /// message naming the size and the limit (<c>Engine:MaxPromptBytes</c>).</summary>
    public static string? TooLarge(string text, long maxBytes)
    {
        ArgumentNullException.ThrowIfNull(text);
        // A char is 1 to 3 UTF-8 bytes (a surrogate pair 4 for 2): counting is needed only between the bounds.
        if ((long)text.Length * 3 <= maxBytes) return null;
        if (text.Length > maxBytes)
            return $"the prompt text is at least {text.Length} bytes, over the server's limit of {maxBytes} bytes (Engine:MaxPromptBytes)";
        int bytes = Encoding.UTF8.GetByteCount(text);
        return bytes <= maxBytes ? null : $"the prompt text is {bytes} bytes, over the server's limit of {maxBytes} bytes (Engine:MaxPromptBytes)";
    }
}
