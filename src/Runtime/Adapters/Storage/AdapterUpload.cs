using Peft.Runtime.Storage;

namespace Peft.Runtime.Adapters.Storage;

/// <summary>
/// One adapter upload being received into a private folder of the store's staging slot. Chunks are appended to the
/// two adapter files only, under the store's size limits. <see cref="Seal"/> makes the files durable and checks both
/// came; <see cref="Commit"/>, which a registration runs under the store's lock together with the manifest write,
/// renames the whole directory into <c>adapters/&lt;id&gt;/&lt;version&gt;/</c> in one step, so a reader sees a
/// complete adapter or none. Disposing without committing deletes what was received; a crash leaves only a
/// staging folder in its slot, which the next store to take the slot (or find it free) removes.
/// </summary>
/// <remarks>Not thread-safe: one producer writes the chunks, as a gRPC client stream does. After any failure the
/// upload accepts nothing more but Dispose, so a half-accepted upload can never be committed.</remarks>
public sealed class AdapterUpload : IDisposable, IAsyncDisposable
{
    private static readonly string[] AdapterFileNames = [AdapterFiles.ConfigFile, AdapterFiles.WeightsFile];

    private readonly StoreLayout layout;
    private readonly long maxUploadBytes;
    private readonly long maxConfigBytes;
    private readonly TimeProvider time;
    private readonly FileWrites writes;
    private readonly Dictionary<string, FileStream> files = new(StringComparer.Ordinal);
    private UploadState state = UploadState.Receiving;
    private long configBytes;

    internal AdapterUpload(string adapterId, StoreLayout layout, string stagingSlot, AdapterStoreOptions options, TimeProvider time)
    {
        AdapterId = adapterId;
        this.layout = layout;
        maxUploadBytes = options.MaxUploadBytes;
        maxConfigBytes = options.MaxConfigBytes;
        this.time = time;
        writes = options.Writes;
        // The id prefix is for people looking at the folder; the guid makes concurrent uploads of one id distinct.
        StagingDirectory = Path.Combine(stagingSlot, $"{adapterId}.{Guid.NewGuid():N}");
        writes.BeforeWrite(StagingDirectory);
        Directory.CreateDirectory(StagingDirectory);
    }

    private enum UploadState { Receiving, Sealed, Failed, Committed, Disposed }

    public string AdapterId { get; }

    /// <summary>Where the files are received until commit.</summary>
    public string StagingDirectory { get; }

    /// <summary>Bytes accepted so far, both files together.</summary>
    public long BytesReceived { get; private set; }

    /// <summary>Appends <paramref name="chunk"/> to <paramref name="fileName"/>, which must be
    /// adapter_config.json or adapter_model.safetensors.</summary>
    /// <exception cref="AdapterUploadException">Another file name, or a size limit would be passed; nothing of the
    /// chunk is written and the upload is failed.</exception>
    public async ValueTask WriteAsync(string fileName, ReadOnlyMemory<byte> chunk, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(fileName);
        EnsureReceiving();
        try
        {
            var file = FileFor(fileName);
            bool isConfig = fileName == AdapterFiles.ConfigFile;
            long config = configBytes + (isConfig ? chunk.Length : 0);
            long total = BytesReceived + chunk.Length;
            if (config > maxConfigBytes)
                throw Refused($"{AdapterFiles.ConfigFile} would reach {config} bytes, over the limit of {maxConfigBytes} bytes for the config");
            if (total > maxUploadBytes)
                throw Refused($"the upload would reach {total} bytes, over the limit of {maxUploadBytes} bytes for one adapter");
            writes.BeforeWrite(file.Name);
            await file.WriteAsync(chunk, cancellationToken);
            configBytes = config;
            BytesReceived = total;
        }
        catch
        {
            state = UploadState.Failed;
            throw;
        }
    }

    /// <summary>Flushes both files to disk and checks both were sent; nothing more can be written. Returns the
    /// staging directory, where the files can be read and validated before the commit.</summary>
    /// <exception cref="AdapterUploadException">An adapter file was not sent.</exception>
    public string Seal()
    {
        if (state == UploadState.Sealed) return StagingDirectory;
        EnsureReceiving();
        try
        {
            var missing = AdapterFileNames.Where(n => !files.ContainsKey(n)).ToList();
            if (missing.Count > 0)
                throw Refused($"the upload is incomplete: {string.Join(" and ", missing)} not received");
            foreach (var file in files.Values)
            {
                file.Flush(flushToDisk: true);
                file.Dispose();
            }
            Posix.FlushDirectory(StagingDirectory);
            state = UploadState.Sealed;
            return StagingDirectory;
        }
        catch
        {
            state = UploadState.Failed;
            throw;
        }
    }

    /// <summary>Seals the upload when not yet sealed and atomically moves the directory to
    /// <c>adapters/&lt;id&gt;/&lt;version&gt;/</c>. Returns that directory's path. Run under the store's lock with
    /// the manifest write that lists it (<see cref="AdapterStore.ChangeManifest"/>): a version folder nobody lists,
    /// seen under the lock, is then a leftover.</summary>
    /// <exception cref="AdapterUploadException">An adapter file was not sent.</exception>
    internal string Commit()
    {
        Seal();
        try
        {
            string versions = layout.VersionsOf(AdapterId);
            string target = Path.Combine(versions, NewVersionName());
            writes.BeforeWrite(target);
            lock (layout.IdFolders)
            {
                Directory.CreateDirectory(versions);
                // rename(2): same file system, so the adapter appears whole or not at all.
                Directory.Move(StagingDirectory, target);
            }
            Posix.FlushDirectory(versions);
            Posix.FlushDirectory(layout.Adapters);
            Posix.FlushDirectory(Path.GetDirectoryName(StagingDirectory)!);
            state = UploadState.Committed;
            return target;
        }
        catch
        {
            state = UploadState.Failed;
            throw;
        }
    }

    public void Dispose()
    {
        if (state is UploadState.Committed or UploadState.Disposed)
            return;
        foreach (var file in files.Values) file.Dispose();
        Abandon();
    }

    public async ValueTask DisposeAsync()
    {
        if (state is UploadState.Committed or UploadState.Disposed)
            return;
        foreach (var file in files.Values) await file.DisposeAsync();
        Abandon();
    }

    private FileStream FileFor(string fileName)
    {
        if (files.TryGetValue(fileName, out var file))
            return file;
        if (!AdapterFileNames.Contains(fileName, StringComparer.Ordinal))
            throw Refused($"{MessageText.Quote(fileName)} is not an adapter file; only {AdapterFiles.ConfigFile} and {AdapterFiles.WeightsFile} are accepted");
        file = new FileStream(Path.Combine(StagingDirectory, fileName), new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            Share = FileShare.None,
            Options = FileOptions.Asynchronous,
        });
        files.Add(fileName, file);
        return file;
    }

    /// <summary>Sortable by time for people listing the folder, unique by the guid part.</summary>
    private string NewVersionName() => $"{time.GetUtcNow():yyyyMMdd'T'HHmmss'Z'}-{Guid.NewGuid():N}"[..29];

    private void Abandon()
    {
        state = UploadState.Disposed;
        try
        {
            Directory.Delete(StagingDirectory, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Best effort: the next store to take this staging slot removes what is left.
        }
    }

    private void EnsureReceiving()
    {
        ObjectDisposedException.ThrowIf(state == UploadState.Disposed, this);
        if (state == UploadState.Committed)
            throw new InvalidOperationException($"upload of adapter '{AdapterId}' is already committed");
        if (state == UploadState.Sealed)
            throw new InvalidOperationException($"upload of adapter '{AdapterId}' is sealed; nothing more can be written");
        if (state == UploadState.Failed)
            throw Refused("the upload failed earlier and accepts nothing more");
    }

    private AdapterUploadException Refused(string what) => new($"upload of adapter '{AdapterId}': {what}");
}
