using System.Diagnostics;

namespace Peft.Tools.Tests.Deploy;

/// <summary>
/// deploy/kubernetes through kubectl, as far as kubectl goes without a cluster: kustomize renders both
/// kustomizations, and <c>kubectl apply --dry-run=client</c> maps and builds every object against
/// <see cref="DiscoveryServer"/>. Skipped, with the reason, where kubectl is not installed. Field-level schema
/// validation needs a cluster's OpenAPI documents and is not part of this check.
/// </summary>
public sealed class ManifestTests
{
    private static readonly string Kubernetes = Path.Combine(RepositoryRoot.Directory.FullName, "deploy", "kubernetes");

    [SkippableTheory]
    [InlineData("", 8)]
    [InlineData("inference", 5)]
    public async Task Kubectl_apply_dry_run_creates_every_object_of_the_kustomization(string folder, int objects)
    {
        string kubectl = RequireKubectl();
        await using var server = await DiscoveryServer.StartAsync();
        string home = Directory.CreateTempSubdirectory("peft-kubectl").FullName;
        try
        {
            string config = server.WriteKubeconfig(home);
            var (code, output) = await RunAsync(kubectl, home, "apply", "--dry-run=client", "--validate=false", "--kubeconfig", config,
                "-k", Path.Combine(Kubernetes, folder));

            Assert.True(code == 0, output);
            var created = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.EndsWith("created (dry run)", StringComparison.Ordinal)).ToArray();
            Assert.True(created.Length == objects, output);
        }
        finally
        {
            Directory.Delete(home, recursive: true);
        }
    }

    [SkippableFact]
    public async Task The_deployment_runs_the_image_non_root_on_a_read_only_root_with_every_writable_path_a_volume()
    {
        string kubectl = RequireKubectl();
        string home = Directory.CreateTempSubdirectory("peft-kubectl").FullName;
        try
        {
            var (code, output) = await RunAsync(kubectl, home, "kustomize", Kubernetes);

            Assert.True(code == 0, output);
            Assert.Contains("readOnlyRootFilesystem: true", output, StringComparison.Ordinal);
            Assert.Contains("runAsNonRoot: true", output, StringComparison.Ordinal);
            foreach (string mount in new[] { "mountPath: /models/model", "mountPath: /var/lib/peft/adapters", "mountPath: /var/lib/peft/jobs", "mountPath: /tmp" })
                Assert.Contains(mount, output, StringComparison.Ordinal);
            Assert.Contains("path: /ready", output, StringComparison.Ordinal);
            Assert.Contains("path: /health", output, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(home, recursive: true);
        }
    }

    private static string RequireKubectl()
    {
        string? found = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Select(dir => Path.Combine(dir, "kubectl")).FirstOrDefault(File.Exists);
        Skip.If(found is null, "kubectl is not installed (apt-get install kubernetes-client): the manifest check needs it");
        return found!;
    }

    private static async Task<(int Code, string Output)> RunAsync(string kubectl, string home, params string[] args)
    {
        var start = new ProcessStartInfo(kubectl) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string arg in args) start.ArgumentList.Add(arg);
        // A home of its own: no cache or config of the machine's user is read or written.
        start.Environment["HOME"] = home;
        start.Environment.Remove("KUBECONFIG");
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }
}
