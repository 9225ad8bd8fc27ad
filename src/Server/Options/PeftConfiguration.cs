using Microsoft.Extensions.Options;
using Peft.Runtime.Engine;

namespace Peft.Server.Options;

/// <summary>
/// Configuration sources and option binding. Precedence, lowest first: appsettings.json,
/// appsettings.{Environment}.json, environment variables with the <c>PEFT_</c> prefix (<c>PEFT_Model__Path</c>),
/// the command line (<c>--Model:Path=DIR</c>, or the short forms in <see cref="Switches"/>). Every section is
/// validated when the server starts; a bad value stops it with a message naming the key.
/// </summary>
internal static class PeftConfiguration
{
    /// <summary>Short command-line forms of the options set most often.</summary>
    public static readonly IReadOnlyDictionary<string, string> Switches = new Dictionary<string, string>
    {
        ["--model"] = "Model:Path",
        ["--device"] = "Model:Device",
        ["--dtype"] = "Model:Dtype",
        ["--threads"] = "Model:Threads",
        ["--kv-dtype"] = "Engine:KvCacheDtype",
        ["--quantize"] = "Model:Quantization",
        ["--port"] = "Server:ServingPort",
        ["--admin-port"] = "Server:AdminPort",
        ["--metrics-port"] = "Server:MetricsPort",
        ["--adapter-root"] = "Adapters:Roots:0",
        ["--adapter-store"] = "Adapters:StoreDirectory",
        ["--data-root"] = "Training:DataRoot",
        ["--jobs-dir"] = "Training:JobsDirectory",
    };

    public static void AddPeftSources(this ConfigurationManager configuration, string[] args)
    {
        configuration.AddEnvironmentVariables("PEFT_");
        configuration.AddCommandLine(args, new Dictionary<string, string>(Switches));
    }

    public static IServiceCollection AddPeftOptions(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<ContentPaths>();
        Section<ServerOptions, ServerOptionsValidator>(services, configuration, ServerOptions.Section);
        Section<ModelOptions, ModelOptionsValidator>(services, configuration, ModelOptions.Section);
        Section<AdapterOptions, AdapterOptionsValidator>(services, configuration, AdapterOptions.Section);
        Section<EngineOptions, EngineOptionsValidator>(services, configuration, EngineOptionsValidator.Section);
        Section<TrainingOptions, TrainingOptionsValidator>(services, configuration, TrainingOptions.Section);
        services.AddOptions<HostOptions>().Configure<IOptions<ServerOptions>>((host, server) =>
            host.ShutdownTimeout = server.Value.ShutdownDelay + server.Value.DrainTimeout + TimeSpan.FromSeconds(5));
        return services;
    }

    private static void Section<TOptions, TValidator>(IServiceCollection services, IConfiguration configuration, string section)
        where TOptions : class
        where TValidator : class, IValidateOptions<TOptions>
    {
        services.AddOptions<TOptions>().Bind(configuration.GetSection(section), o => o.ErrorOnUnknownConfiguration = true).ValidateOnStart();
        services.AddSingleton<IValidateOptions<TOptions>, TValidator>();
    }
}
