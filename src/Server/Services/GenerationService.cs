using System.Text;
using Grpc.Core;
using Peft.Protos.V1;
using Peft.Server.Calls;
using Peft.Server.Hosting;

namespace Peft.Server.Services;

/// <summary>peft.v1.Generation on the serving endpoint: proto in, one engine request, proto out.</summary>
internal sealed class GenerationService(ModelHost host) : Generation.GenerationBase
{
    public override async Task<GenerateResponse> Generate(GenerateRequest request, ServerCallContext context)
    {
        var model = host.Require();
        using var call = GenerationCall.Start(GenerateRequestMapper.Input(request), model, context.Method, context.CancellationToken);
        var response = new GenerateResponse { AdapterId = call.AdapterId, AdapterVersion = call.AdapterVersion };
        var text = new StringBuilder();
        while (true)
        {
            var (tokens, finish) = await call.NextAsync();
            if (tokens is not null)
            {
                text.Append(tokens.Text);
                response.TokenIds.Add(tokens.TokenIds);
                LogprobMapper.AddTo(response.Logprobs, tokens.Logprobs, model.Decoder);
            }
            if (finish is not null)
            {
                response.Text = text.ToString();
                response.FinishReason = GenerateRequestMapper.Map(finish.Reason);
                response.Usage = GenerateRequestMapper.Usage(finish);
                return response;
            }
        }
    }

    public override async Task GenerateStream(GenerateRequest request, IServerStreamWriter<GenerateChunk> responseStream, ServerCallContext context)
    {
        var model = host.Require();
        using var call = GenerationCall.Start(GenerateRequestMapper.Input(request), model, context.Method, context.CancellationToken);
        bool first = true;
        while (true)
        {
            var (tokens, finish) = await call.NextAsync();
            var chunk = new GenerateChunk();
            if (first)
            {
                chunk.AdapterId = call.AdapterId;
                chunk.AdapterVersion = call.AdapterVersion;
                first = false;
            }
            if (tokens is not null)
            {
                chunk.Text = tokens.Text;
                chunk.TokenIds.Add(tokens.TokenIds);
                LogprobMapper.AddTo(chunk.Logprobs, tokens.Logprobs, model.Decoder);
            }
            if (finish is not null)
            {
                chunk.FinishReason = GenerateRequestMapper.Map(finish.Reason);
                chunk.Usage = GenerateRequestMapper.Usage(finish);
            }
            await responseStream.WriteAsync(chunk, context.CancellationToken);
            if (finish is not null) return;
        }
    }
}
