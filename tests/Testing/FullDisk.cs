using Peft.Runtime.Storage;

namespace Peft.Testing;

/// <summary>
/// A file system that is full where a test says so: writes under <see cref="Directory"/> that match the test's rule
/// fail with the IOException (ENOSPC) .NET raises on a real full disk; every other write goes through. Thread-safe.
/// </summary>
public sealed class FullDisk(string directory) : FileWrites
{
    private volatile Func<string, bool> _full = _ => false;

    public string Directory { get; } = Path.GetFullPath(directory);

    /// <summary>Paths that were refused, in order.</summary>
    public List<string> Refused { get; } = [];

    /// <summary>From now on, writes under <see cref="Directory"/> for which <paramref name="full"/> is true fail.</summary>
    public void FailWhen(Func<string, bool> full) => _full = full;

    /// <summary>Every write under <see cref="Directory"/> fails from now on.</summary>
    public void Fill() => FailWhen(_ => true);

    public void Free() => FailWhen(_ => false);

    public override void BeforeWrite(string path)
    {
        string full = Path.GetFullPath(path);
        if (!full.StartsWith(Directory, StringComparison.Ordinal) || !_full(full)) return;
        lock (Refused) Refused.Add(full);
        throw DiskFull.Simulated(full);
    }
}
