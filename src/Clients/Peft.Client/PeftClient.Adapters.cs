using Google.Protobuf;
using Grpc.Core;
using Peft.Protos.V1;

namespace Peft.Client;

public sealed partial class PeftClient
{
    /// <summary>Bytes per upload message: well under the server's 4 MiB message limit.</summary>
    public const int UploadChunkBytes = 1 << 20;

    /// <summary>The two files of a PEFT adapter directory, as the server expects them.</summary>
    public static readonly IReadOnlyList<string> AdapterFileNames = ["adapter_config.json", "adapter_model.safetensors"];

    private Adapters.AdaptersClient AdminClient => new(_admin);

    /// <summary>Registers the adapter in <paramref name="path"/>, a directory on the server under its adapter roots.</summary>
    public async Task<AdapterInfo> LoadAdapterAsync(string adapterId, string path, bool replace = false, CancellationToken cancellationToken = default) =>
        await AdminClient.LoadAdapterAsync(new LoadAdapterRequest { AdapterId = adapterId, Path = path, Replace = replace },
            deadline: Deadline(null), cancellationToken: cancellationToken);

    /// <summary>
    /// Uploads the adapter in the local <paramref name="directory"/> (adapter_config.json and
    /// adapter_model.safetensors) in <see cref="UploadChunkBytes"/> chunks, and registers it on the server.
    /// </summary>
    /// <exception cref="FileNotFoundException">An adapter file is missing locally.</exception>
    /// <exception cref="RpcException">The server refused the upload; the status says why.</exception>
    public async Task<AdapterInfo> UploadAdapterAsync(string adapterId, string directory, bool replace = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(directory);
        var files = AdapterFileNames.Select(name => Path.Combine(directory, name)).ToArray();
        foreach (string file in files)
            if (!File.Exists(file)) throw new FileNotFoundException($"{file} does not exist; an adapter directory holds {string.Join(" and ", AdapterFileNames)}", file);

        using var call = AdminClient.UploadAdapter(deadline: Deadline(null), cancellationToken: cancellationToken);
        try
        {
            await call.RequestStream.WriteAsync(new UploadAdapterChunk { Header = new UploadHeader { AdapterId = adapterId, Replace = replace } }, cancellationToken);
            var buffer = new byte[UploadChunkBytes];
            foreach (string file in files)
            {
                await using var stream = File.OpenRead(file);
                int read;
                while ((read = await stream.ReadAsync(buffer, cancellationToken)) > 0)
                {
                    var chunk = new FileChunk { FileName = Path.GetFileName(file), Data = ByteString.CopyFrom(buffer, 0, read) };
                    await call.RequestStream.WriteAsync(new UploadAdapterChunk { File = chunk }, cancellationToken);
                }
            }
            await call.RequestStream.CompleteAsync();
        }
        catch (Exception e) when (e is RpcException or InvalidOperationException && !cancellationToken.IsCancellationRequested)
        {
            // The server ended the call early (it refused the upload); its status is the call's result below.
        }
        return await call.ResponseAsync;
    }

    /// <summary>Unregisters an adapter; returns how many requests were still running on it (they finish).</summary>
    public async Task<UnloadAdapterResponse> UnloadAdapterAsync(string adapterId, CancellationToken cancellationToken = default) =>
        await AdminClient.UnloadAdapterAsync(new UnloadAdapterRequest { AdapterId = adapterId }, deadline: Deadline(null), cancellationToken: cancellationToken);

    public async Task<IReadOnlyList<AdapterInfo>> ListAdaptersAsync(CancellationToken cancellationToken = default) =>
        (await AdminClient.ListAdaptersAsync(new ListAdaptersRequest(), deadline: Deadline(null), cancellationToken: cancellationToken)).Adapters;

    public async Task<AdapterInfo> GetAdapterAsync(string adapterId, CancellationToken cancellationToken = default) =>
        await AdminClient.GetAdapterAsync(new GetAdapterRequest { AdapterId = adapterId }, deadline: Deadline(null), cancellationToken: cancellationToken);
}
