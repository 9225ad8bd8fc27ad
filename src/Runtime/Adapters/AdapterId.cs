using System.Diagnostics.CodeAnalysis;

namespace Peft.Runtime.Adapters;

/// <summary>
/// Adapter ids name directories in the store and appear in requests, logs and metric labels, so they keep to a
/// portable, path-safe alphabet: ASCII letters, digits, '-', '_' and '.', 1–128 characters, not starting with '.'
/// (which rules out hidden directories, "." and ".."). ASCII only, because look-alike and differently normalised
/// Unicode letters would let two ids that read the same name two directories.
/// </summary>
public static class AdapterId
{
    public const int MaxLength = 128;

    /// <summary>Returns <paramref name="id"/> when it is valid; otherwise throws <see cref="ArgumentException"/>
    /// with a message that says what is wrong.</summary>
    public static string Validate(string? id) =>
        Problem(id) is { } problem ? throw new ArgumentException(problem) : id!;

    public static bool IsValid([NotNullWhen(true)] string? id) => Problem(id) is null;

    private static string? Problem(string? id)
    {
        if (string.IsNullOrEmpty(id))
            return "adapter id is empty";
        if (id.Length > MaxLength)
            return $"adapter id {MessageText.Quote(id)} is {id.Length} characters long, over the limit of {MaxLength}";
        if (id[0] == '.')
            return $"adapter id {MessageText.Quote(id)} starts with '.'";
        for (int i = 0; i < id.Length; i++)
        {
            char c = id[i];
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
                return $"adapter id {MessageText.Quote(id)} has {MessageText.Describe(c)} at position {i}; allowed are ASCII letters, digits, '-', '_' and '.'";
        }
        return null;
    }
}
