using Grpc.Core;
using Peft.Protos.V1;
using Peft.Server.Errors;
using Peft.Server.Calls;
using Peft.Server.Hosting;

namespace Peft.Server.Services;

/// <summary>peft.v1.Adapters on the admin endpoint: registration, upload, unload and inspection of adapters.</summary>
internal sealed class AdaptersService(ModelHost host, ILogger<AdaptersService> logger) : Adapters.AdaptersBase
{
    public override async Task<AdapterInfo> LoadAdapter(LoadAdapterRequest request, ServerCallContext context)
    {
        var model = host.Require();
        string id = AdapterIdRules.Require(request.AdapterId);
        if (request.Path.Length == 0) throw ApiErrors.Invalid("path is empty: name an adapter directory under an adapter root");
        var version = await model.Registry.RegisterAsync(id, request.Path, request.Replace, context.CancellationToken);
        ServerLog.AdapterRegistered(logger, id, version.Facts.PeftType, version.ContentHash, version.Directory);
        return AdapterInfoMapper.Map(version);
    }

    public override async Task<AdapterInfo> UploadAdapter(IAsyncStreamReader<UploadAdapterChunk> requestStream, ServerCallContext context)
    {
        var model = host.Require();
        var version = await UploadReceiver.ReceiveAsync(requestStream, model, context.CancellationToken);
        ServerLog.AdapterRegistered(logger, version.Id, version.Facts.PeftType, version.ContentHash, version.Directory);
        return AdapterInfoMapper.Map(version);
    }

    public override Task<UnloadAdapterResponse> UnloadAdapter(UnloadAdapterRequest request, ServerCallContext context)
    {
        var model = host.Require();
        string id = AdapterIdRules.Require(request.AdapterId);
        int inFlight = model.Registry.Unregister(id);
        ServerLog.AdapterUnloaded(logger, id, inFlight);
        return Task.FromResult(new UnloadAdapterResponse { RequestsInFlight = (uint)Math.Max(0, inFlight) });
    }

    public override Task<ListAdaptersResponse> ListAdapters(ListAdaptersRequest request, ServerCallContext context)
    {
        var response = new ListAdaptersResponse();
        response.Adapters.Add(host.Require().Registry.List().Select(AdapterInfoMapper.Map));
        return Task.FromResult(response);
    }

    public override Task<AdapterInfo> GetAdapter(GetAdapterRequest request, ServerCallContext context)
    {
        var model = host.Require();
        return Task.FromResult(AdapterInfoMapper.Map(model.Registry.Get(AdapterIdRules.Require(request.AdapterId))));
    }
}
