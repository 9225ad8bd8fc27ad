using Peft.Runtime.Storage;

namespace Peft.Runtime.Adapters.Storage;

/// <summary>
/// Turns a client-supplied adapter path into the real absolute path of a directory inside the configured roots
/// (the containment rules are <see cref="CallerPath"/>'s, shared with dataset paths).
/// Two views of "inside" are checked, because each alone can be fooled: the path as written must be under a root
/// (lexically, after refusing ".."), and its real path, every symbolic link resolved by the kernel, must be under a
/// root's real path. Links between places inside the roots are fine; a link that leads out is refused. The two
/// adapter files are checked the same way, since a link to /etc/shadow named adapter_config.json is as bad as a
/// linked directory.
/// </summary>
/// <remarks>
/// The check holds at the moment of resolution. Anyone able to write inside a root can swap a link afterwards,
/// so roots should be writable only by whoever is trusted to choose what the server loads.
/// </remarks>
public sealed class AdapterPathResolver
{
    /// <summary>Linux PATH_MAX: anything longer cannot name a file, so it is refused before it reaches a message.</summary>
    public const int MaxRequestLength = CallerPath.MaxLength;

    private static readonly string[] AdapterFileNames = [AdapterFiles.ConfigFile, AdapterFiles.WeightsFile];

    private readonly Root[] roots;
    private readonly string rootList;

    /// <param name="roots">Existing directories, searched in order for relative requests.</param>
    public AdapterPathResolver(IEnumerable<string> roots)
    {
        ArgumentNullException.ThrowIfNull(roots);
        this.roots = [.. roots.Select(Root.Of)];
        rootList = this.roots.Length == 0 ? "(none)" : string.Join(", ", this.roots.Select(r => r.Path));
    }

    /// <summary>The roots as configured (absolute), in search order.</summary>
    public IReadOnlyList<string> Roots => [.. roots.Select(r => r.Path)];

    /// <summary>The real absolute path of the adapter directory <paramref name="requested"/> names.</summary>
    /// <exception cref="AdapterPathException">The path may not be loaded; <see cref="AdapterPathException.Reason"/> says why.</exception>
    public string Resolve(string requested)
    {
        RefuseInvalid(requested);
        if (Path.IsPathRooted(requested))
        {
            string absolute = PathContainment.Normalise(requested);
            if (!roots.Any(r => r.Holds(absolute)))
                throw Refused(AdapterPathReason.OutsideRoots, requested, "is not under any adapter root");
            return Check(requested, absolute);
        }
        // First root that has it wins, so an operator can shadow a shared root with a local one. A hit whose link
        // leads out is reported, not skipped: falling through to the next root would hide the escape.
        foreach (var root in roots)
        {
            string candidate = PathContainment.Normalise(Path.Combine(root.Path, requested));
            if (Directory.Exists(candidate))
                return Check(requested, candidate);
        }
        throw Refused(AdapterPathReason.NotFound, requested, "names no adapter directory under any adapter root");
    }

    private void RefuseInvalid(string requested)
    {
        if (CallerPath.Problem(requested) is { } problem)
            throw Refused(AdapterPathReason.Invalid, requested ?? "", problem);
    }

    private string Check(string requested, string absolute)
    {
        string real = Posix.RealPath(absolute, out int errno)
            ?? throw Refused(AdapterPathReason.NotFound, requested,
                Posix.IsMissing(errno) ? "does not exist" : $"cannot be resolved ({Posix.Describe(errno)})");
        if (!Directory.Exists(real))
            throw Refused(AdapterPathReason.NotFound, requested, "is not a directory");
        if (!roots.Any(r => CallerPath.IsInside(real, r.RealPath)))
            throw Refused(AdapterPathReason.SymlinkEscape, requested, "is under an adapter root, but a symbolic link on the way leads outside every root");
        foreach (string name in AdapterFileNames)
            CheckFile(requested, Path.Combine(real, name), name);
        return real;
    }

    /// <summary>An adapter file may be a link only to somewhere inside the roots. A regular file in a directory
    /// already checked is inside by construction; a missing one is left for the reader to report.</summary>
    private void CheckFile(string requested, string path, string name)
    {
        if (new FileInfo(path).LinkTarget is null)
            return;
        string real = Posix.RealPath(path, out int errno)
            ?? throw Refused(AdapterPathReason.NotFound, requested,
                $"has {name} as a symbolic link that cannot be resolved ({Posix.Describe(errno)})");
        if (!roots.Any(r => PathContainment.IsUnder(real, r.RealPath)))
            throw Refused(AdapterPathReason.SymlinkEscape, requested, $"has {name} as a symbolic link that leads outside every adapter root");
    }

    private AdapterPathException Refused(AdapterPathReason reason, string requested, string what) =>
        new(reason, requested, $"adapter path {MessageText.Quote(requested)} {what} (adapter roots: {rootList})");

    /// <summary>A root as configured (for lexical checks and messages) and as the kernel sees it (for link checks).</summary>
    private sealed record Root(string Path, string RealPath)
    {
        public static Root Of(string directory)
        {
            if (string.IsNullOrWhiteSpace(directory) || !System.IO.Path.IsPathRooted(directory))
                throw new ArgumentException($"adapter root '{directory}' is not an absolute path");
            string path = PathContainment.Normalise(directory);
            string real = Posix.RealPath(path, out int errno)
                ?? throw new ArgumentException($"adapter root {path} cannot be resolved: {Posix.Describe(errno)}");
            return Directory.Exists(real) ? new Root(path, real) : throw new ArgumentException($"adapter root {path} is not a directory");
        }

        /// <summary>An absolute path written under the root as configured or under its real location.</summary>
        public bool Holds(string absolute) =>
            PathContainment.IsAtOrUnder(absolute, Path) || PathContainment.IsAtOrUnder(absolute, RealPath);
    }
}
