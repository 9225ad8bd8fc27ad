namespace Peft.Clients.Tests;

[CollectionDefinition(nameof(EnvironmentCollection), DisableParallelization = true)]
public sealed class EnvironmentCollection;

/// <summary><c>peft --help</c> never prints a secret: keys taken from the environment are no option defaults.</summary>
[Collection(nameof(EnvironmentCollection))]
public sealed class HelpSecretsTests
{
    [Theory]
    [InlineData("--help")]
    [InlineData("generate", "--help")]
    [InlineData("adapters", "list", "--help")]
    public async Task Help_does_not_print_keys_from_the_environment(params string[] args)
    {
        const string serving = "serving-secret-5f1c", admin = "admin-secret-9e2d";
        string? oldServing = Environment.GetEnvironmentVariable("PEFT_API_KEY"), oldAdmin = Environment.GetEnvironmentVariable("PEFT_ADMIN_KEY");
        Environment.SetEnvironmentVariable("PEFT_API_KEY", serving);
        Environment.SetEnvironmentVariable("PEFT_ADMIN_KEY", admin);
        try
        {
            var (code, output, error) = await CliHarness.RunAsync(args);
            Assert.Equal(0, code);
            Assert.Contains("--api-key", output);
            Assert.DoesNotContain(serving, output + error);
            Assert.DoesNotContain(admin, output + error);
        }
        finally
        {
            Environment.SetEnvironmentVariable("PEFT_API_KEY", oldServing);
            Environment.SetEnvironmentVariable("PEFT_ADMIN_KEY", oldAdmin);
        }
    }
}
