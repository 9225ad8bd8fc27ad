namespace Peft.Server.Tests.Support;

/// <summary>
/// A theory too long for CI (minutes of training), run on demand: <c>PEFT_LONG_TESTS=1 dotnet test ...</c>. Skipped
/// otherwise, with the reason in the test output.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class LongRunTheoryAttribute : TheoryAttribute
{
    public const string Variable = "PEFT_LONG_TESTS";

    public LongRunTheoryAttribute()
    {
        if (Environment.GetEnvironmentVariable(Variable) != "1") Skip = $"long run: set {Variable}=1 to run it";
    }
}
