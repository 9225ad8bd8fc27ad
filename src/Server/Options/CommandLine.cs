namespace Peft.Server.Options;

/// <summary>
/// The server's command line: <c>--help</c> (anywhere; nothing starts) and a check that every argument names a
/// setting, so a typo (<c>--prot 5000</c>) or a switch without its value (<c>--port --admin-port 5</c>) stops the
/// start with a line saying so instead of being dropped.
/// </summary>
internal static class CommandLine
{
    private static readonly string[] HelpSwitches = ["--help", "-h", "-?", "/?", "/help"];

    public static bool WantsHelp(IEnumerable<string> args) => args.Any(a => HelpSwitches.Contains(a, StringComparer.OrdinalIgnoreCase));

    /// <summary>One line per argument that names no setting or lacks its value.</summary>
    public static IEnumerable<string> Problems(IReadOnlyList<string> args)
    {
        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            if (!(arg.StartsWith("--", StringComparison.Ordinal) || arg.StartsWith('/') || arg.StartsWith('-')))
            {
                yield return $"'{arg}' is not an option; settings are --Section:Key=value or the short forms in --help";
                continue;
            }
            int equals = arg.IndexOf('=', StringComparison.Ordinal);
            string key = equals < 0 ? arg : arg[..equals];
            if (equals < 0)
            {
                if (i + 1 >= args.Count || IsOption(args[i + 1]))
                {
                    yield return $"{key} needs a value ({key} VALUE or {key}=VALUE)";
                    continue;
                }
                i++;
            }
            if (PeftConfiguration.Switches.ContainsKey(key)) continue;
            string name = key.TrimStart('-', '/');
            string section = name.Split(':', 2)[0];
            if (!ConfigurationKeys.IsSection(section))
                yield return $"{key} is not an option of the server (see --help)";
        }
    }

    private static bool IsOption(string arg) => arg.StartsWith("--", StringComparison.Ordinal) || (arg.StartsWith('-') && arg.Length > 1 && !char.IsDigit(arg[1]));

    public static void WriteHelp(TextWriter output)
    {
        output.WriteLine("peft-server: serves one base model with many PEFT adapters over gRPC, and trains adapters on it.");
        output.WriteLine();
        output.WriteLine("usage: peft-server [--Section:Key=value | --Section:Key value | short form]...");
        output.WriteLine("  Settings come from appsettings.json, appsettings.{Environment}.json, PEFT_-prefixed environment variables");
        output.WriteLine("  (PEFT_Model__Path=...) and the command line, later ones winning. Exit codes: 0 stopped, 1 the model failed");
        output.WriteLine("  to load, 2 the configuration is not valid (one line per problem). docs/server.md has the details.");
        output.WriteLine();
        output.WriteLine("short forms:");
        foreach (var (option, key) in PeftConfiguration.Switches) output.WriteLine($"  {option,-16} {key}");
        foreach (var (section, type) in ConfigurationKeys.Sections)
        {
            output.WriteLine();
            output.WriteLine($"{section}:");
            foreach (var (name, settingType, value) in ConfigurationKeys.Settings(type))
                output.WriteLine($"  {section}:{name,-28} {Describe(settingType, value)}");
        }
    }

    /// <summary>A setting's default as configured in code: never a value from the environment, so no secret.</summary>
    private static string Describe(Type type, object? value) => value switch
    {
        null => "(none)",
        string s => s.Length == 0 ? "(empty)" : s,
        System.Collections.IEnumerable list and not string => $"[{string.Join(", ", list.Cast<object>())}]",
        _ when type.IsClass => "(section)",
        _ => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? "",
    };
}
