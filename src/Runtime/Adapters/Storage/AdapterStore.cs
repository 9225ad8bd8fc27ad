using Peft.Runtime.Storage;

namespace Peft.Runtime.Adapters.Storage;

/// <summary>
/// The file-system side of adapter management, the one object the registry holds: resolving client paths inside
/// the roots, receiving uploads, persisting the manifest, deleting uploaded versions no longer needed.
/// Several server processes may share one store directory (replicas on a shared volume). Every change of the
/// manifest and of <c>adapters/</c> happens under the store's lock (<c>.lock</c>, flock(2)) after re-reading the
/// manifest, so no replica overwrites another's change and whatever is in <c>adapters/</c> without an entry, seen
/// under the lock, is a crash's leftover. Uploads are received in this store's own staging slot
/// (<see cref="StagingArea"/>). At construction it lays out the store directory (<see cref="StoreLayout"/>) and
/// removes what a crash can leave behind: dead replicas' staging folders and temporary manifest files.
/// </summary>
public sealed class AdapterStore : IDisposable
{
    /// <summary>How long a change waits for another replica to release the store's lock. Default 30 s.</summary>
    public static readonly TimeSpan DefaultLockTimeout = TimeSpan.FromSeconds(30);

    private readonly StoreLayout layout;
    private readonly StagingArea staging;
    private readonly AdapterPathResolver resolver;
    private readonly AdapterManifest manifest;
    private readonly TimeProvider time;
    // Threads of this process queue here rather than polling the file lock against each other.
    private readonly Lock localGate = new();

    public AdapterStore(AdapterStoreOptions options, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options;
        this.time = time ?? TimeProvider.System;
        layout = StoreLayout.Create(options.StoreDirectory);
        manifest = new AdapterManifest(layout.Directory, this.time, options.Writes);
        staging = StagingArea.Claim(layout.Incoming);
        try
        {
            Locked(manifest.RemoveLeftoverTemporaryFiles);
        }
        catch
        {
            staging.Dispose();
            throw;
        }
        // Uploads are searched after the user's roots. The store's root is adapters/, not the store directory,
        // so staging directories and the manifest can never be named as adapters.
        resolver = new AdapterPathResolver([.. options.Roots, layout.Adapters]);
    }

    public AdapterStoreOptions Options { get; }

    /// <summary>The manifest file (replicas sharing the store watch it).</summary>
    public string ManifestPath => manifest.FilePath;

    /// <summary>Where committed uploads live (real path): <c>&lt;store&gt;/adapters</c>.</summary>
    public string AdaptersDirectory => layout.Adapters;

    /// <summary>This store's staging folder: <c>.incoming/replica-&lt;n&gt;</c>, the slot whose lock it holds.</summary>
    public string StagingDirectory => staging.Directory;

    /// <summary>The roots in search order: the configured ones, then <see cref="AdaptersDirectory"/>.</summary>
    public IReadOnlyList<string> Roots => resolver.Roots;

    /// <inheritdoc cref="AdapterPathResolver.Resolve"/>
    public string Resolve(string requested) => resolver.Resolve(requested);

    /// <summary>Starts receiving an upload of <paramref name="adapterId"/> into a fresh folder of this store's
    /// staging slot. It becomes an adapter when a registration commits it (<c>AdapterRegistry.RegisterUploadAsync</c>).</summary>
    /// <exception cref="ArgumentException">The id is not valid (<see cref="AdapterId"/>).</exception>
    public AdapterUpload BeginUpload(string adapterId) =>
        new(AdapterId.Validate(adapterId), layout, staging.Directory, Options, time);

    /// <summary>The manifest as it is now, changing nothing (a corrupt one reads as no entries and a problem).</summary>
    public ManifestReadResult ReadManifest() => manifest.Read();

    /// <summary>The manifest, moving a corrupt one aside, under the store's lock.</summary>
    public ManifestReadResult LoadManifest() => Locked(manifest.Load);

    /// <summary>
    /// Changes the manifest under the store's lock: <paramref name="change"/> gets the entries as they are now
    /// (re-read under the lock, so another replica's change is never lost) and returns the full new list, or null
    /// to write nothing. It runs under the lock, so it may also move a committed upload into place
    /// (<see cref="AdapterUpload"/> is committed only this way); whatever it throws aborts the change.
    /// </summary>
    /// <exception cref="AdapterStoreBusyException">Another process held the lock past <see cref="AdapterStoreOptions.LockTimeout"/>.</exception>
    /// <exception cref="ArgumentException">The new list would not load again (see <see cref="AdapterManifest.Save"/>).</exception>
    public void ChangeManifest(Func<IReadOnlyList<ManifestEntry>, IReadOnlyList<ManifestEntry>?> change)
    {
        ArgumentNullException.ThrowIfNull(change);
        Locked(() =>
        {
            if (change(manifest.Load().Entries) is { } entries) manifest.Save(entries);
        });
    }

    public void Dispose() => staging.Dispose();

    /// <summary>True when <paramref name="path"/> names a committed upload, <c>adapters/&lt;id&gt;/&lt;version&gt;</c>.</summary>
    public bool IsStoredVersion(string path) => StoredVersionProblem(path) is null;

    /// <summary>
    /// Deletes a committed upload, for when its adapter version is unloaded and no request uses it. Only exact
    /// <c>adapters/&lt;id&gt;/&lt;version&gt;</c> directories with no link on the way are deleted, never anything
    /// under a user's root, and only while the manifest lists no adapter there (checked under the store's lock:
    /// another replica may have registered the same directory under another id). Returns false when it is already
    /// gone or still listed.
    /// </summary>
    /// <exception cref="ArgumentException">The path is not a committed upload.</exception>
    public bool DeleteStoredVersion(string path)
    {
        if (StoredVersionProblem(path) is { } problem)
            throw new ArgumentException($"refusing to delete {MessageText.Quote(path ?? "")}: {problem}");
        string version = PathContainment.Normalise(path);
        return Locked(() => manifest.Read() is { Problem: null } read && !read.Entries.Any(e => e.Path == version) && DeleteUnlocked(version));
    }

    private bool DeleteUnlocked(string version)
    {
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
    /// Removes what no registration refers to from <c>adapters/</c>: versions a crash left between an upload's
    /// commit and the manifest write, leftovers of failed registrations, empty id folders and anything else not
    /// of the store's making. Called at start, under the store's lock and against the manifest read under it (every
    /// commit happens under the lock together with its manifest entry, so nothing here is another replica's work in
    /// progress). A manifest that cannot be read removes nothing: it is moved aside and its adapters' files stay
    /// for whoever repairs it. Links are removed, never followed.
    /// </summary>
    public StoreCleanup RemoveUnlisted() => Locked(() =>
    {
        var read = manifest.Load();
        if (read.Problem is not null) return new StoreCleanup([], read.Problem);
        var keep = read.Entries.Select(e => PathContainment.Normalise(e.Path)).ToHashSet(StringComparer.Ordinal);
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
        return new StoreCleanup(removed, null);
    });

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

    private void Locked(Action action) => Locked(() =>
    {
        action();
        return true;
    });

    private T Locked<T>(Func<T> action)
    {
        lock (localGate)
        {
            FileLock held;
            try
            {
                held = FileLock.Acquire(layout.LockFile, Options.LockTimeout, Options.LockBusy);
            }
            catch (TimeoutException e)
            {
                throw new AdapterStoreBusyException($"the adapter store {layout.Directory} is locked by another server sharing it: {e.Message}; nothing changed, retry", e);
            }
            using (held) return action();
        }
    }
}
