using Grpc.Core;
using Peft.Protos.V1;
using Peft.Runtime.Adapters;
using Peft.Runtime.Adapters.Registry;
using Peft.Runtime.Adapters.Storage;
using Peft.Server.Errors;
using Peft.Server.Calls;
using Peft.Server.Hosting;

namespace Peft.Server.Services;

/// <summary>
/// Receives one UploadAdapter stream: the header first and only first, then file chunks into a staged upload in the
/// adapter store; registers it, which commits it into the store (an atomic rename) with its manifest entry.
/// Over-limit uploads are RESOURCE_EXHAUSTED; a malformed stream or bad files INVALID_ARGUMENT. An upload that does
/// not register leaves nothing.
/// </summary>
internal static class UploadReceiver
{
    public static async Task<AdapterVersion> ReceiveAsync(IAsyncStreamReader<UploadAdapterChunk> messages, LoadedModel model, CancellationToken cancellationToken)
    {
        if (!await messages.MoveNext(cancellationToken))
            throw ApiErrors.Invalid("the upload is empty: send an UploadHeader first, then the files");
        if (messages.Current.PartCase != UploadAdapterChunk.PartOneofCase.Header)
            throw ApiErrors.Invalid("the first message of an upload must be its header (adapter_id, replace), before any file chunk");
        var header = messages.Current.Header;
        string id = AdapterIdRules.Require(header.AdapterId);
        if (!header.Replace && model.Registry.IsListed(id))
            throw ApiErrors.Exists($"adapter '{id}' is already registered; set replace to swap it atomically");

        await using var upload = model.Store.BeginUpload(id);
        await ReceiveFilesAsync(messages, upload, model.Store.Options, cancellationToken);
        return await model.Registry.RegisterUploadAsync(upload, header.Replace, cancellationToken);
    }

    private static async Task ReceiveFilesAsync(IAsyncStreamReader<UploadAdapterChunk> messages, AdapterUpload upload, AdapterStoreOptions limits,
        CancellationToken cancellationToken)
    {
        long configBytes = 0;
        int index = 1;
        while (await messages.MoveNext(cancellationToken))
        {
            var message = messages.Current;
            if (message.PartCase == UploadAdapterChunk.PartOneofCase.Header)
                throw ApiErrors.Invalid($"message {index} of the upload is a second header; the header comes first and only once");
            if (message.PartCase != UploadAdapterChunk.PartOneofCase.File)
                throw ApiErrors.Invalid($"message {index} of the upload sets neither header nor file");

            var file = message.File;
            bool isConfig = file.FileName == AdapterFiles.ConfigFile;
            bool overLimit = upload.BytesReceived + file.Data.Length > limits.MaxUploadBytes
                || (isConfig && configBytes + file.Data.Length > limits.MaxConfigBytes);
            try
            {
                await upload.WriteAsync(file.FileName, file.Data.Memory, cancellationToken);
            }
            catch (AdapterUploadException e) when (overLimit)
            {
                throw ApiErrors.Exhausted(e.Message);
            }
            if (isConfig) configBytes += file.Data.Length;
            index++;
        }
    }
}
