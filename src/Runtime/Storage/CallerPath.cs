namespace Peft.Runtime.Storage;

/// <summary>
/// The one containment check for every path a caller names (adapter directories, dataset files): refused as written
/// when it could not be a plain relative name (empty, too long, a NUL, a ".." segment), then resolved by the kernel,
/// every symbolic link in every component followed, and accepted only when that real path is under the root's real
/// path. Checking only the last component would let a linked directory inside the root lead out of it.
/// </summary>
/// <remarks>The check holds at the moment of resolution: whoever can write inside a root can swap a link later, so
/// roots should be writable only by those trusted to choose what the server reads.</remarks>
public static class CallerPath
{
    /// <summary>Linux PATH_MAX: anything longer cannot name a file, so it is refused before it reaches a message.</summary>
    public const int MaxLength = 4096;

    /// <summary>Null when <paramref name="requested"/> may be resolved; otherwise what is wrong with it as written.</summary>
    public static string? Problem(string? requested)
    {
        if (string.IsNullOrWhiteSpace(requested)) return "is empty";
        if (requested.Length > MaxLength) return $"is {requested.Length} characters long, over the limit of {MaxLength}";
        if (requested.Contains('\0', StringComparison.Ordinal)) return "contains a NUL character";
        // Refused as written, not after normalising: "a/../../etc" must not become a question of where it lands.
        // Backslash counts as a separator too; on Linux it is a legal name character, but no caller needs one.
        if (requested.Split('/', '\\').Contains("..")) return "contains a '..' segment";
        return null;
    }

    /// <summary>Whether a real path is at or under a root's real path (component-wise, ordinal).</summary>
    public static bool IsInside(string realPath, string rootRealPath) => PathContainment.IsAtOrUnder(realPath, rootRealPath);

    /// <summary>
    /// Resolves <paramref name="requested"/> (checked with <see cref="Problem"/> first, relative) under
    /// <paramref name="root"/>: the real path, or null when nothing is there; <c>Escapes</c> when a link on the way
    /// leads outside the root.
    /// </summary>
    public static (string? Real, bool Escapes) Resolve(string root, string requested)
    {
        string rootReal = Posix.RealPath(PathContainment.Normalise(root), out int errno)
            ?? throw new IOException($"root {root} cannot be resolved: {Posix.Describe(errno)}");
        string? real = Posix.RealPath(PathContainment.Normalise(Path.Combine(root, requested)), out _);
        return real is null ? (null, false) : (real, !IsInside(real, rootReal));
    }
}
