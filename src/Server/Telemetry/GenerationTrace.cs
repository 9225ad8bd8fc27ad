using System.Diagnostics;
using Peft.Runtime.Engine;

namespace Peft.Server.Telemetry;

/// <summary>
/// The spans of one generation request, on the engine's ActivitySource, under ASP.NET Core's span of the call:
/// <c>peft.generate</c> for the whole request, with children <c>peft.queue</c> (submitted until the scheduler first
/// gives it a place in a step), <c>peft.prefill</c> (from there to the first token) and <c>peft.decode</c> (first
/// token to finish). Queue and prefill are recorded when the first token arrives (or the request ends without
/// one), from the times the engine noted, because the engine thread does not call into tracing.
/// </summary>
internal sealed class GenerationTrace : IDisposable
{
    private readonly Activity? _request;
    private RequestTimeline? _timeline;
    private Activity? _decode;
    private bool _waitingRecorded;
    private bool _failed;

    private GenerationTrace(Activity? request) => _request = request;

    public static GenerationTrace Start(string method, string adapterId, string requestId, int promptTokens, string? user = null)
    {
        var activity = EngineMetrics.ActivitySource.StartActivity("peft.generate");
        if (activity is not null)
        {
            activity.SetTag("rpc.method", method);
            activity.SetTag("peft.adapter_id", adapterId);
            if (requestId.Length > 0) activity.SetTag("peft.request_id", requestId);
            activity.SetTag("peft.prompt_tokens", promptTokens);
            if (!string.IsNullOrEmpty(user)) activity.SetTag("peft.user", user);
        }
        return new GenerationTrace(activity);
    }

    /// <summary>The engine accepted the request.</summary>
    public void Submitted(GenerationStream stream)
    {
        _timeline = stream.Timeline;
        if (stream.AdapterVersion.Length > 0) _request?.SetTag("peft.adapter_version", stream.AdapterVersion);
    }

    /// <summary>The first generated token arrived: queue and prefill are over, decode begins.</summary>
    public void FirstToken()
    {
        if (_waitingRecorded) return;
        var now = DateTimeOffset.UtcNow;
        RecordWaiting(now);
        _decode = Child("peft.decode", now);
    }

    public void Finished(FinishReason reason, int completionTokens)
    {
        _request?.SetTag("peft.finish_reason", reason.ToString());
        _request?.SetTag("peft.completion_tokens", completionTokens);
    }

    public void Failed(Exception error)
    {
        _failed = true;
        _request?.SetStatus(ActivityStatusCode.Error, error.GetType().Name);
        _decode?.SetStatus(ActivityStatusCode.Error);
    }

    private void RecordWaiting(DateTimeOffset now)
    {
        _waitingRecorded = true;
        if (_request is null || _timeline is null) return;
        var admitted = _timeline.Admitted;
        Closed("peft.queue", _timeline.Submitted, admitted ?? now, failed: _failed && admitted is null);
        if (admitted is { } start) Closed("peft.prefill", start, now, failed: _failed);
    }

    private void Closed(string name, DateTimeOffset start, DateTimeOffset end, bool failed)
    {
        using var span = Child(name, start);
        if (span is null) return;
        if (failed) span.SetStatus(ActivityStatusCode.Error);
        span.SetEndTime(end < start ? start.UtcDateTime : end.UtcDateTime);
    }

    private Activity? Child(string name, DateTimeOffset start)
    {
        if (_request is null) return null;
        var current = Activity.Current;
        var child = EngineMetrics.ActivitySource.StartActivity(name, ActivityKind.Internal, _request.Context, startTime: start);
        Activity.Current = current;
        return child;
    }

    public void Dispose()
    {
        if (!_waitingRecorded) RecordWaiting(DateTimeOffset.UtcNow);
        _decode?.Dispose();
        _request?.Dispose();
    }
}
