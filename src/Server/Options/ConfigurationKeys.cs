using System.Collections;
using System.Reflection;
using Peft.Runtime.Engine;

namespace Peft.Server.Options;

/// <summary>
/// Every key the server reads, by section and type: unknown keys anywhere (a typo in appsettings.json, the
/// environment or the command line) are reported all at once, one line each, before the server starts; the same
/// table writes <c>--help</c>.
/// </summary>
internal static class ConfigurationKeys
{
    public static readonly IReadOnlyList<(string Section, Type Type)> Sections =
    [
        (ModelOptions.Section, typeof(ModelOptions)),
        (ServerOptions.Section, typeof(ServerOptions)),
        (AdapterOptions.Section, typeof(AdapterOptions)),
        (EngineOptionsValidator.Section, typeof(EngineOptions)),
        (TrainingOptions.Section, typeof(TrainingOptions)),
        (TelemetryOptions.Section, typeof(TelemetryOptions)),
    ];

    /// <summary>Top-level keys of the ASP.NET Core host and its logging, which the server passes through.</summary>
    public static readonly IReadOnlyList<string> HostKeys = ["Logging", "Kestrel", "AllowedHosts", "urls", "environment", "applicationName", "contentRoot", "OTEL_EXPORTER_OTLP_ENDPOINT"];

    /// <summary>One line per key of a server section that no setting has.</summary>
    public static IEnumerable<string> Unknown(IConfiguration configuration)
    {
        foreach (var (section, type) in Sections)
            foreach (string problem in Unknown(configuration.GetSection(section), type))
                yield return problem;
    }

    public static bool IsSection(string name) =>
        Sections.Any(s => string.Equals(s.Section, name, StringComparison.OrdinalIgnoreCase))
        || HostKeys.Any(k => string.Equals(k, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>The settings of a type as (name, type, default), for help.</summary>
    public static IEnumerable<(string Name, Type Type, object? Default)> Settings(Type type)
    {
        object? defaults = type.GetConstructor(Type.EmptyTypes) is not null ? Activator.CreateInstance(type) : null;
        foreach (var property in Properties(type))
            yield return (property.Name, property.PropertyType, defaults is null ? null : property.GetValue(defaults));
    }

    private static IEnumerable<PropertyInfo> Properties(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.SetMethod is { IsPublic: true } && p.GetIndexParameters().Length == 0);

    private static IEnumerable<string> Unknown(IConfigurationSection section, Type type)
    {
        var properties = Properties(type).ToDictionary(p => p.Name, StringComparer.OrdinalIgnoreCase);
        foreach (var child in section.GetChildren())
        {
            if (!properties.TryGetValue(child.Key, out var property))
            {
                yield return $"{child.Path} is not a setting (the {section.Path} section has {string.Join(", ", properties.Keys)})";
                continue;
            }
            foreach (string problem in UnknownBelow(child, property.PropertyType)) yield return problem;
        }
    }

    private static IEnumerable<string> UnknownBelow(IConfigurationSection value, Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type == typeof(string) || type.IsPrimitive || type.IsEnum || type == typeof(TimeSpan) || type == typeof(decimal))
            return value.GetChildren().Select(c => $"{c.Path} is not a setting ({value.Path} is a single value)");
        if (type != typeof(string) && typeof(IEnumerable).IsAssignableFrom(type) && type.IsGenericType)
            return value.GetChildren().SelectMany(c => UnknownBelow(c, type.GetGenericArguments()[0]));
        return Unknown(value, type);
    }
}
