namespace Peft.Runtime.Storage;

/// <summary>
/// The one seam in front of the server's own writes (the adapter manifest, uploads, training job records, data,
/// checkpoints and trained adapters): each write first calls <see cref="BeforeWrite"/>. In production it does
/// nothing. Tests subclass it to fail chosen writes exactly as a full disk does (an <see cref="IOException"/> with
/// ENOSPC), deterministically and without root or a small file system, so every failure path runs for real.
/// </summary>
public class FileWrites
{
    /// <summary>Writes go straight to the file system.</summary>
    public static FileWrites Direct { get; } = new();

    /// <summary>Called before creating, writing, renaming into or replacing <paramref name="path"/>.</summary>
    /// <exception cref="IOException">What the file system would answer (a test's simulated fault).</exception>
    public virtual void BeforeWrite(string path)
    {
    }
}
