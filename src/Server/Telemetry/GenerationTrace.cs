using System.Diagnostics;
using Peft.Runtime.Engine;

namespace Peft.Server.Telemetry;

/// <summary>
/// The spans of one generation request, on the engine's ActivitySource, under ASP.NET Core's span of the call:
/// <c>peft.generate</c> for the whole request, with children <c>peft.prefill</c> (admission wait and prompt
/// computation, up to the first token) and <c>peft.decode</c> (first token to finish). The engine does not report
/// when a queued request is admitted, so queue time is inside peft.prefill; peft.queue.depth measures the queue.
/// </summary>
internal sealed class GenerationTrace : IDisposable
{
    private readonly Activity? _request;
    private Activity? _phase;

    private GenerationTrace(Activity? request)
    {
        _request = request;
        _phase = Child("peft.prefill");
    }

    public static GenerationTrace Start(string method, string adapterId, string requestId, int promptTokens)
    {
        var activity = EngineMetrics.ActivitySource.StartActivity("peft.generate");
        if (activity is not null)
        {
            activity.SetTag("rpc.method", method);
            activity.SetTag("peft.adapter_id", adapterId);
            if (requestId.Length > 0) activity.SetTag("peft.request_id", requestId);
            activity.SetTag("peft.prompt_tokens", promptTokens);
        }
        return new GenerationTrace(activity);
    }

    public void AdapterVersion(string version)
    {
        if (version.Length > 0) _request?.SetTag("peft.adapter_version", version);
    }

    /// <summary>The first generated token arrived: prefill ends, decode begins.</summary>
    public void FirstToken()
    {
        if (_phase?.OperationName != "peft.prefill") return;
        _phase.Stop();
        _phase = Child("peft.decode");
    }

    public void Finished(FinishReason reason, int completionTokens)
    {
        _request?.SetTag("peft.finish_reason", reason.ToString());
        _request?.SetTag("peft.completion_tokens", completionTokens);
    }

    public void Failed(Exception error)
    {
        _request?.SetStatus(ActivityStatusCode.Error, error.GetType().Name);
        _phase?.SetStatus(ActivityStatusCode.Error);
    }

    private Activity? Child(string name)
    {
        if (_request is null) return null;
        var current = Activity.Current;
        var child = EngineMetrics.ActivitySource.StartActivity(name, ActivityKind.Internal, _request.Context);
        Activity.Current = current;
        return child;
    }

    public void Dispose()
    {
        _phase?.Dispose();
        _request?.Dispose();
    }
}
