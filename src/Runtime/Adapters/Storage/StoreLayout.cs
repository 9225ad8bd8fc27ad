using Peft.Runtime.Storage;

namespace Peft.Runtime.Adapters.Storage;

/// <summary>
/// The store directory's layout, all on one file system so that renames between its parts are atomic:
/// <code>
/// manifest.json                          registered adapters
/// .lock                                  the store's lock: held around every change of the manifest and adapters/
/// .incoming/replica-&lt;n&gt;.lock             held by the live store receiving uploads in slot n (StagingArea)
/// .incoming/replica-&lt;n&gt;/&lt;id&gt;.&lt;guid&gt;/   uploads being received in slot n
/// adapters/&lt;id&gt;/&lt;version&gt;/                committed uploads (the store's root for resolution)
/// </code>
/// Paths are real (links resolved once, at start), so what the store returns compares equal to what the
/// resolver returns for the same directory.
/// </summary>
internal sealed class StoreLayout
{
    private StoreLayout(string directory)
    {
        Directory = directory;
        Incoming = Path.Combine(directory, ".incoming");
        LockFile = Path.Combine(directory, ".lock");
        Adapters = Path.Combine(directory, "adapters");
    }

    public string Directory { get; }

    public string Incoming { get; }

    public string Adapters { get; }

    public string LockFile { get; }

    /// <summary>Held while an <c>adapters/&lt;id&gt;/</c> folder is created for a commit or removed once empty, so
    /// the two never interleave.</summary>
    public Lock IdFolders { get; } = new();

    public static StoreLayout Create(string storeDirectory)
    {
        string real = Posix.RealPath(storeDirectory, out int errno)
            ?? throw new IOException($"adapter store directory {storeDirectory} cannot be resolved: {Posix.Describe(errno)}");
        var layout = new StoreLayout(real);
        System.IO.Directory.CreateDirectory(layout.Incoming);
        System.IO.Directory.CreateDirectory(layout.Adapters);
        return layout;
    }

    public string VersionsOf(string adapterId) => Path.Combine(Adapters, adapterId);
}
