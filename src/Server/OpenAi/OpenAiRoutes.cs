using Peft.Server.Errors;
using Peft.Server.Security;

namespace Peft.Server.OpenAi;

/// <summary>The HTTP API: OpenAI-compatible generation on the serving endpoint, vLLM-style adapter loading on the
/// admin endpoint, health on both. Every API call runs through <see cref="HttpEdge"/>.</summary>
internal static class OpenAiRoutes
{
    public static IServiceCollection AddOpenAiApi(this IServiceCollection services) => services
        .AddSingleton<HttpEdge>()
        .AddSingleton<ServedModels>()
        .AddSingleton<ModelsEndpoint>()
        .AddSingleton<CompletionsEndpoint>()
        .AddSingleton<ChatCompletionsEndpoint>()
        .AddSingleton<LoraAdminEndpoint>();

    public static WebApplication MapOpenAiApi(this WebApplication app)
    {
        var edge = app.Services.GetRequiredService<HttpEdge>();
        var models = app.Services.GetRequiredService<ModelsEndpoint>();
        var completions = app.Services.GetRequiredService<CompletionsEndpoint>();
        var chat = app.Services.GetRequiredService<ChatCompletionsEndpoint>();
        var admin = app.Services.GetRequiredService<LoraAdminEndpoint>();

        app.MapGet("/v1/models", edge.Serve(EndpointRole.Serving, ModelsEndpoint.Api, models.ListAsync));
        app.MapGet("/v1/models/{**id}", edge.Serve(EndpointRole.Serving, ModelsEndpoint.Api, models.GetAsync));
        app.MapPost("/v1/completions", edge.Serve(EndpointRole.Serving, CompletionsEndpoint.Api, completions.HandleAsync));
        app.MapPost("/v1/chat/completions", edge.Serve(EndpointRole.Serving, ChatCompletionsEndpoint.Api, chat.HandleAsync));
        app.MapPost("/v1/load_lora_adapter", edge.Serve(EndpointRole.Admin, LoraAdminEndpoint.LoadApi, admin.LoadAsync));
        app.MapPost("/v1/unload_lora_adapter", edge.Serve(EndpointRole.Admin, LoraAdminEndpoint.UnloadApi, admin.UnloadAsync));
        app.Map("/v1/{**path}", http => HttpEdge.WriteAsync(http,
            ApiErrors.NotFound($"there is no {http.Request.Method} {http.Request.Path} here; see docs/openai.md for the HTTP API")));
        app.MapGet("/health", HealthEndpoints.Health);
        app.MapGet("/ready", HealthEndpoints.Ready);
        return app;
    }
}
