using System.Runtime.Versioning;

// Image layers carry Unix modes and links: the tool runs where the image is built, on Linux.
[assembly: SupportedOSPlatform("linux")]

namespace Peft.Tools.ContainerImage;

/// <summary>
/// <c>peft-oci layout --rootfs DIR --out DIR --tag TAG [--user UID]</c>: one-layer OCI image layout of a root file
/// system. <c>peft-oci serve --layout DIR --port N</c>: serves it read-only over the OCI distribution API on
/// localhost until stopped (Ctrl+C or SIGTERM). Exit codes: 0 done, 2 bad arguments.
/// </summary>
internal static class OciCli
{
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        if (args.Length == 0) return Usage(error, "no command");
        if (!Options.TryParse(args[1..], out var options, out string? problem)) return Usage(error, problem!);
        switch (args[0])
        {
            case "layout" when options.Has("rootfs", "out", "tag"):
                var image = OciLayout.Write(options["rootfs"], options["out"], options["tag"], options.Get("user", "1654"), DateTimeOffset.UnixEpoch);
                await output.WriteLineAsync($"{options["out"]}: {options["tag"]} {image.ManifestDigest} (layer {image.LayerBytes / 1048576.0:F1} MiB compressed)");
                return 0;
            case "serve" when options.Has("layout", "port") && int.TryParse(options["port"], out int port):
                await using (var registry = await PullOnlyRegistry.StartAsync(options["layout"], port))
                {
                    await output.WriteLineAsync($"serving {options["layout"]} on {registry.Address}");
                    await registry.WaitForShutdownAsync();
                }
                return 0;
            default:
                return Usage(error, $"'{string.Join(' ', args)}' is not a known command with its required options");
        }
    }

    private static int Usage(TextWriter error, string problem)
    {
        error.WriteLine($"peft-oci: {problem}");
        error.WriteLine("usage: peft-oci layout --rootfs DIR --out DIR --tag TAG [--user UID]");
        error.WriteLine("       peft-oci serve --layout DIR --port PORT");
        return 2;
    }

    private sealed class Options
    {
        private readonly Dictionary<string, string> _values = [];

        public string this[string name] => _values[name];

        public string Get(string name, string fallback) => _values.GetValueOrDefault(name, fallback);

        public bool Has(params string[] names) => names.All(_values.ContainsKey);

        public static bool TryParse(string[] args, out Options options, out string? problem)
        {
            options = new Options();
            problem = null;
            for (int i = 0; i < args.Length; i += 2)
            {
                if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
                {
                    problem = $"expected --name value pairs, got '{args[i]}'";
                    return false;
                }
                options._values[args[i][2..]] = args[i + 1];
            }
            return true;
        }
    }
}
