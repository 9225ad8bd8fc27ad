using Peft.Server.Errors;

namespace Peft.Server.OpenAi;

/// <summary>The fields both generation APIs share around the sampling: n, stream, stream_options, user, and this
/// server's task_id (multitask prompt tuning: the adapter's task, as gRPC's GenerateRequest.task_id; the engine
/// checks it against the adapter).</summary>
internal sealed record StreamOptions(int N, bool Stream, bool IncludeUsage, string? User, int? TaskId = null)
{
    /// <summary>Choices one request may ask for (prompts × n): each is an engine request.</summary>
    public const int MaxChoices = 64;

    public static StreamOptions Read(JsonRequest request)
    {
        long n = request.Integer("n") ?? 1;
        if (n is < 1 or > MaxChoices) throw ApiErrors.Invalid($"'n' must be in [1, {MaxChoices}], not {n}", "n");
        if (request.Integer("best_of") is { } bestOf && bestOf != n)
            throw ApiErrors.Invalid("'best_of' other than n is not supported by this server", "best_of");
        bool stream = request.Bool("stream") ?? false;
        bool includeUsage = false;
        if (request.Object("stream_options") is { } options)
        {
            if (!stream) throw ApiErrors.Invalid("'stream_options' is only allowed with stream: true", "stream_options");
            includeUsage = new JsonRequest(options).Bool("include_usage") ?? false;
        }
        int? taskId = request.Integer("task_id") is { } t ? (int)Math.Clamp(t, int.MinValue, int.MaxValue) : null;
        return new StreamOptions((int)n, stream, includeUsage, request.String("user"), taskId);
    }
}
