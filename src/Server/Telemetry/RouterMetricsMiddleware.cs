using System.Text;
using Peft.Server.Hosting;
using Peft.Server.OpenAi;

namespace Peft.Server.Telemetry;

/// <summary>
/// Adds <see cref="RouterMetrics"/> to the <c>/metrics</c> scrape that OpenTelemetry's exporter writes, so one
/// endpoint serves both: the exporter's answer is buffered and ours goes at its end, before the <c>#&#160;EOF</c>
/// line that ends an OpenMetrics answer. Nothing is added before the model is loaded.
/// </summary>
internal sealed class RouterMetricsMiddleware(RequestDelegate next, ModelHost host, ServedModels models, Func<HttpContext, bool> isScrape)
{
    private static readonly byte[] OpenMetricsEnd = "# EOF\n"u8.ToArray();

    public async Task InvokeAsync(HttpContext context)
    {
        if (!isScrape(context) || host.Loaded is not { } loaded)
        {
            await next(context);
            return;
        }
        var original = context.Response.Body;
        using var buffer = new MemoryStream();
        context.Response.Body = buffer;
        try
        {
            await next(context);
        }
        finally
        {
            context.Response.Body = original;
        }
        byte[] scraped = buffer.ToArray();
        if (context.Response.StatusCode != StatusCodes.Status200OK)
        {
            await original.WriteAsync(scraped);
            return;
        }
        byte[] ours = Encoding.UTF8.GetBytes(RouterMetrics.Render(loaded.Engine.Stats, loaded.Engine.Activity, loaded.Engine.Options.KvBlockSize, models.BaseName(loaded)));
        int split = scraped.AsSpan().EndsWith(OpenMetricsEnd) ? scraped.Length - OpenMetricsEnd.Length : scraped.Length;
        context.Response.ContentLength = scraped.Length + ours.Length;
        await original.WriteAsync(scraped.AsMemory(0, split));
        await original.WriteAsync(ours);
        await original.WriteAsync(scraped.AsMemory(split));
    }
}
