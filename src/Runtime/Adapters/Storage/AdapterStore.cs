using Peft.Runtime.Storage;

namespace Peft.Runtime.Adapters.Storage;

/// <summary>
/// The file-system side of adapter management, the one object the registry holds: resolving client paths inside
/// the roots, receiving uploads, persisting the manifest, deleting uploaded versions no longer needed.
/// At construction it lays out the store directory (<see cref="StoreLayout"/>) and removes what a crash can leave
/// behind: staging directories of unfinished uploads and temporary manifest files. One server process per store
/// directory; two would delete each other's uploads in progress.
/// </summary>
public sealed class AdapterStore
{
    private readonly StoreLayout layout;
    private readonly AdapterPathResolver resolver;
    private readonly AdapterManifest manifest;
    private readonly TimeProvider time;

    public AdapterStore(AdapterStoreOptions options, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options;
        this.time = time ?? TimeProvider.System;
        layout = StoreLayout.Create(options.StoreDirectory);
        RemoveLeftoverUploads();
        manifest = new AdapterManifest(layout.Directory, this.time, options.Writes);
        manifest.RemoveLeftoverTemporaryFiles();
        // Uploads are searched after the user's roots. The store's root is adapters/, not the store directory,
        // so staging directories and the manifest can never be named as adapters.
        resolver = new AdapterPathResolver([.. options.Roots, layout.Adapters]);
    }

    public AdapterStoreOptions Options { get; }

    /// <summary>The manifest file (replicas sharing the store watch it).</summary>
    public string ManifestPath => manifest.FilePath;

    /// <summary>Where committed uploads live (real path): <c>&lt;store&gt;/adapters</c>.</summary>
    public string AdaptersDirectory => layout.Adapters;

    /// <summary>The roots in search order: the configured ones, then <see cref="AdaptersDirectory"/>.</summary>
    public IReadOnlyList<string> Roots => resolver.Roots;

    /// <inheritdoc cref="AdapterPathResolver.Resolve"/>
    public string Resolve(string requested) => resolver.Resolve(requested);

    /// <summary>Starts receiving an upload of <paramref name="adapterId"/> into a fresh staging directory.</summary>
    /// <exception cref="ArgumentException">The id is not valid (<see cref="AdapterId"/>).</exception>
    public AdapterUpload BeginUpload(string adapterId) =>
        new(AdapterId.Validate(adapterId), layout, Options, time);

    public ManifestReadResult LoadManifest() => manifest.Load();

    public void SaveManifest(IEnumerable<ManifestEntry> entries) => manifest.Save(entries);

    /// <summary>True when <paramref name="path"/> names a committed upload, <c>adapters/&lt;id&gt;/&lt;version&gt;</c>.</summary>
    public bool IsStoredVersion(string path) => StoredVersionProblem(path) is null;

    /// <summary>
    /// Deletes a committed upload, for when its adapter version is unloaded and no request uses it. Only exact
    /// <c>adapters/&lt;id&gt;/&lt;version&gt;</c> directories with no link on the way are deleted, never anything
    /// under a user's root. Returns false when it is already gone.
    /// </summary>
    /// <exception cref="ArgumentException">The path is not a committed upload.</exception>
    public bool DeleteStoredVersion(string path)
    {
        if (StoredVersionProblem(path) is { } problem)
            throw new ArgumentException($"refusing to delete {MessageText.Quote(path ?? "")}: {problem}");
        string version = PathContainment.Normalise(path);
        string? real = Posix.RealPath(version, out int errno);
        if (real is null)
            return Posix.IsMissing(errno) ? false : throw new IOException($"cannot resolve {version}: {Posix.Describe(errno)}");
        // The layout's paths are real, so any difference means a link: deleting through it could reach elsewhere.
        if (real != version)
            throw new ArgumentException($"refusing to delete {version}: it is reached through a symbolic link");
        Directory.Delete(version, recursive: true);
        string id = Path.GetDirectoryName(version)!;
        Posix.FlushDirectory(id);
        RemoveIfEmpty(id);
        return true;
    }

    /// <summary>
    /// Removes what no registration refers to from <c>adapters/</c>: versions a crash left between their upload's
    /// commit and its registration (never acknowledged to anyone), leftovers of failed registrations, empty id
    /// folders and anything else not of the store's making. Called at start, with the manifest's paths, before any
    /// new upload. Links are removed, never followed.
    /// </summary>
    /// <returns>What was removed, as paths relative to <c>adapters/</c>, for the log.</returns>
    public IReadOnlyList<string> RemoveUnlisted(IEnumerable<string> listed)
    {
        ArgumentNullException.ThrowIfNull(listed);
        var keep = listed.Select(PathContainment.Normalise).ToHashSet(StringComparer.Ordinal);
        var removed = new List<string>();
        foreach (var entry in new DirectoryInfo(layout.Adapters).EnumerateFileSystemInfos())
        {
            if (entry is DirectoryInfo { LinkTarget: null } id && AdapterId.IsValid(id.Name))
            {
                foreach (var version in id.EnumerateFileSystemInfos().Where(v => !keep.Contains(v.FullName)))
                    Remove(version, removed);
                RemoveIfEmpty(id.FullName);
            }
            else if (!keep.Any(k => PathContainment.IsAtOrUnder(k, entry.FullName)))
            {
                Remove(entry, removed);
            }
        }
        Posix.FlushDirectory(layout.Adapters);
        return removed;
    }

    private void Remove(FileSystemInfo entry, List<string> removed)
    {
        if (entry is DirectoryInfo { LinkTarget: null } directory) directory.Delete(recursive: true);
        else entry.Delete();
        removed.Add(Path.GetRelativePath(layout.Adapters, entry.FullName));
    }

    /// <summary>An id folder whose last version went is removed too (a failed first upload left 46 after one test run).</summary>
    private void RemoveIfEmpty(string idFolder)
    {
        lock (layout.IdFolders)
        {
            if (!Directory.Exists(idFolder) || Directory.EnumerateFileSystemEntries(idFolder).Any()) return;
            Directory.Delete(idFolder);
        }
        Posix.FlushDirectory(layout.Adapters);
    }

    private string? StoredVersionProblem(string? path)
    {
        if (string.IsNullOrWhiteSpace(path) || !Path.IsPathRooted(path))
            return "not an absolute path";
        if (path.Contains('\0', StringComparison.Ordinal) || path.Split('/').Contains(".."))
            return "not a plain path";
        string full = PathContainment.Normalise(path);
        if (!PathContainment.IsUnder(full, layout.Adapters)
            || Path.GetRelativePath(layout.Adapters, full).Split('/') is not [var id, var version]
            || !AdapterId.IsValid(id) || version.StartsWith('.'))
            return $"not an uploaded adapter version <id>/<version> under {layout.Adapters}";
        return null;
    }

    private void RemoveLeftoverUploads()
    {
        foreach (var entry in new DirectoryInfo(layout.Incoming).EnumerateFileSystemInfos())
        {
            // A link is removed itself, never followed.
            if (entry is DirectoryInfo { LinkTarget: null } directory)
                directory.Delete(recursive: true);
            else
                entry.Delete();
        }
        Posix.FlushDirectory(layout.Incoming);
    }
}
