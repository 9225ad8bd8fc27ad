namespace Peft.ChatTemplates.Tests;

/// <summary>
/// Generated templates (fixed seed): operator, filter, test and method combinations over mixed values, and
/// whitespace control under every trim_blocks/lstrip_blocks setting, each as Python jinja2 renders it
/// (Cases/jinja2-generated.json, tools/build_generated_cases.py).
/// </summary>
public sealed class GeneratedCaseTests
{
    private const string File = "jinja2-generated.json";

    public static TheoryData<string> Cases => CaseFile.Names(File);

    [Theory]
    [MemberData(nameof(Cases))]
    public void Generated_templates_match_jinja2(string name) => PeerCaseTests.Check(CaseFile.Find(File, name));
}
