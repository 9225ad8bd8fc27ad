using System.Formats.Tar;
using System.IO.Compression;

namespace Peft.Tools.ContainerImage;

/// <summary>
/// Writes a directory tree as a gzip-compressed tar layer that is the same bytes for the same tree: entries in
/// ordinal path order, owned by root, one fixed modification time, modes and symbolic links as they are on disk.
/// </summary>
internal static class LayerWriter
{
    /// <returns>The compressed file's digest and size, and the uncompressed tar's digest (the config's diff_id).</returns>
    public static (string Digest, long Size, string DiffId) Write(string root, Stream destination, DateTimeOffset modified)
    {
        using var compressed = new DigestStream(destination);
        string diffId;
        using (var gzip = new GZipStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
        using (var tar = new DigestStream(gzip))
        {
            using (var writer = new TarWriter(tar, TarEntryFormat.Pax, leaveOpen: true))
                foreach (var entry in Entries(root)) WriteEntry(writer, root, entry, modified);
            tar.Flush();
            diffId = tar.Digest;
        }
        return (compressed.Digest, compressed.Length, diffId);
    }

    private static IEnumerable<FileSystemInfo> Entries(string directory)
    {
        var children = new DirectoryInfo(directory).EnumerateFileSystemInfos().OrderBy(e => e.Name, StringComparer.Ordinal);
        foreach (var child in children)
        {
            yield return child;
            // A symbolic link to a directory is a link in the layer, never followed.
            if (child is DirectoryInfo && child.LinkTarget is null)
                foreach (var nested in Entries(child.FullName)) yield return nested;
        }
    }

    private static void WriteEntry(TarWriter writer, string root, FileSystemInfo info, DateTimeOffset modified)
    {
        string name = Path.GetRelativePath(root, info.FullName).Replace('\\', '/');
        PaxTarEntry entry;
        if (info.LinkTarget is { } target)
            entry = new PaxTarEntry(TarEntryType.SymbolicLink, name) { LinkName = target };
        else if (info is DirectoryInfo)
            entry = new PaxTarEntry(TarEntryType.Directory, name + "/");
        else
            entry = new PaxTarEntry(TarEntryType.RegularFile, name);
        entry.Uid = 0;
        entry.Gid = 0;
        entry.ModificationTime = modified;
        entry.Mode = info.LinkTarget is null ? File.GetUnixFileMode(info.FullName) : (UnixFileMode)0x1FF;
        if (entry.EntryType == TarEntryType.RegularFile)
        {
            using var data = File.OpenRead(info.FullName);
            entry.DataStream = data;
            writer.WriteEntry(entry);
        }
        else
        {
            writer.WriteEntry(entry);
        }
    }
}
