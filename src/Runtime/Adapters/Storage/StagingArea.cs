using System.Globalization;
using Peft.Runtime.Storage;

namespace Peft.Runtime.Adapters.Storage;

/// <summary>
/// This store's own folder under <c>.incoming/</c> for uploads being received, so replicas sharing a store never
/// touch each other's. A store claims the first slot whose lock it can take, <c>replica-&lt;n&gt;.lock</c>, holds
/// that lock for its lifetime and receives uploads in <c>replica-&lt;n&gt;/</c>. Whoever takes a slot's lock owns
/// its folder: at start a store empties its own slot (a dead holder's leftovers) and every slot whose lock is free
/// (a crashed replica's), and never a slot whose lock is held, however old its files are.
/// </summary>
internal sealed class StagingArea : IDisposable
{
    private const string Prefix = "replica-";
    private const string LockSuffix = ".lock";
    // More slots than replicas ever share one store; reaching it means locks are not working, not a big cluster.
    private const int MaxSlots = 4096;

    private readonly FileLock _held;

    private StagingArea(string directory, FileLock held)
    {
        Directory = directory;
        _held = held;
    }

    /// <summary>Where this store's uploads are received.</summary>
    public string Directory { get; }

    public static StagingArea Claim(string incoming)
    {
        for (int slot = 0; slot < MaxSlots; slot++)
        {
            if (FileLock.TryAcquire(LockPath(incoming, slot)) is not { } held) continue;
            try
            {
                string directory = FolderPath(incoming, slot);
                RemoveTree(directory);
                System.IO.Directory.CreateDirectory(directory);
                RemoveOthersLeftovers(incoming, slot);
                Posix.FlushDirectory(incoming);
                return new StagingArea(directory, held);
            }
            catch
            {
                held.Dispose();
                throw;
            }
        }
        throw new IOException($"no free staging slot under {incoming}: {MaxSlots} are locked by live processes");
    }

    public void Dispose() => _held.Dispose();

    /// <summary>Empties the slots nobody holds and removes what is not a slot at all (the single-process layout
    /// received uploads directly in <c>.incoming/</c>). Lock files stay: see <see cref="FileLock"/>.</summary>
    private static void RemoveOthersLeftovers(string incoming, int own)
    {
        var slots = new SortedSet<int>();
        foreach (var entry in new DirectoryInfo(incoming).EnumerateFileSystemInfos())
        {
            if (SlotOf(entry) is { } slot)
            {
                if (slot != own) slots.Add(slot);
            }
            else if (entry is DirectoryInfo { LinkTarget: null } directory)
            {
                directory.Delete(recursive: true);
            }
            else
            {
                entry.Delete();   // a file or a link, never followed
            }
        }
        foreach (int slot in slots)
        {
            using var free = FileLock.TryAcquire(LockPath(incoming, slot));
            if (free is not null) RemoveTree(FolderPath(incoming, slot));
        }
    }

    /// <summary>The slot a lock file or a slot folder (not a link) belongs to, or null.</summary>
    private static int? SlotOf(FileSystemInfo entry)
    {
        string name = entry.Name;
        bool isLock = name.EndsWith(LockSuffix, StringComparison.Ordinal) && entry is FileInfo { LinkTarget: null };
        if (isLock) name = name[..^LockSuffix.Length];
        else if (entry is not DirectoryInfo { LinkTarget: null }) return null;
        if (!name.StartsWith(Prefix, StringComparison.Ordinal)) return null;
        string digits = name[Prefix.Length..];
        return digits.Length is > 0 and <= 4 && digits.All(char.IsAsciiDigit)
            && int.Parse(digits, CultureInfo.InvariantCulture) is var slot && slot < MaxSlots
            && digits == slot.ToString(CultureInfo.InvariantCulture) ? slot : null;
    }

    private static void RemoveTree(string directory)
    {
        if (System.IO.Directory.Exists(directory)) System.IO.Directory.Delete(directory, recursive: true);
    }

    private static string LockPath(string incoming, int slot) => Path.Combine(incoming, $"{Prefix}{slot}{LockSuffix}");

    private static string FolderPath(string incoming, int slot) => Path.Combine(incoming, $"{Prefix}{slot}");
}
