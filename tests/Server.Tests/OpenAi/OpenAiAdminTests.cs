using System.Text.Json.Nodes;
using Peft.Server.Tests.Support;
using Peft.Testing;

namespace Peft.Server.Tests.OpenAi;

/// <summary>The tiny Llama with a tokenizer and chat template, no adapters registered at start.</summary>
public sealed class EmptyOpenAiServer : OpenAiServer
{
    protected override (string Id, string Path)[] Adapters => [];
}

/// <summary>vLLM's runtime adapter loading (/v1/load_lora_adapter, /v1/unload_lora_adapter) on the admin endpoint.</summary>
public sealed class OpenAiAdminTests(EmptyOpenAiServer fixture) : IClassFixture<EmptyOpenAiServer>
{
    public static TheoryData<string> AdapterTypes => ["lora_qv", "prefix", "prompt", "ptuning"];

    [Theory]
    [MemberData(nameof(AdapterTypes))]
    public async Task Every_adapter_type_loads_in_vllm_shape_serves_as_model_and_unloads(string name)
    {
        using var admin = fixture.Http(fixture.Server.AdminAddress, LoopbackServer.AdminKey);
        string id = $"http-{name}";

        using var loaded = await admin.PostAsync("/v1/load_lora_adapter", System.Net.Http.Json.JsonContent.Create(new { lora_name = id, lora_path = $"llama/adapters/{name}" }));
        Assert.Equal(200, (int)loaded.StatusCode);
        Assert.Equal($"Success: LoRA adapter '{id}' added successfully.", await loaded.Content.ReadAsStringAsync());
        var (again, conflict) = await OpenAiServer.PostAsync(admin, "/v1/load_lora_adapter", new { lora_name = id, lora_path = $"llama/adapters/{name}" });
        Assert.Equal(409, again);
        Assert.Contains(id, (string)conflict["error"]!["message"]!);

        var reference = await fixture.Client.GenerateAsync(Requests.Ids(maxNewTokens: 6, adapter: id));
        using var http = fixture.Http();
        var (status, body) = await OpenAiServer.PostAsync(http, "/v1/completions", new { model = id, prompt = Requests.Prompt, max_tokens = 6, ignore_eos = true });
        Assert.Equal(200, status);
        Assert.Equal(reference.Text, (string)body["choices"]![0]!["text"]!);
        var listed = JsonNode.Parse(await http.GetStringAsync("/v1/models"))!["data"]!.AsArray();
        Assert.Contains(listed, m => (string)m!["id"]! == id);

        using var unloaded = await admin.PostAsync("/v1/unload_lora_adapter", System.Net.Http.Json.JsonContent.Create(new { lora_name = id }));
        Assert.Equal(200, (int)unloaded.StatusCode);
        var (gone, _) = await OpenAiServer.PostAsync(http, "/v1/completions", new { model = id, prompt = Requests.Prompt });
        Assert.Equal(404, gone);
        var (twice, _) = await OpenAiServer.PostAsync(admin, "/v1/unload_lora_adapter", new { lora_name = id });
        Assert.Equal(404, twice);
    }

    [Fact]
    public async Task A_multitask_adapter_is_listed_with_its_tasks_and_serves_the_task_id_asked_for()
    {
        await fixture.Client.UploadAdapterAsync("http-tasks", Fixtures.MethodsAdapter("llama", "mpt"), replace: true);
        var grpc = Requests.Ids(maxNewTokens: 4, adapter: "http-tasks");
        grpc.TaskId = 2;
        var reference = await fixture.Client.GenerateAsync(grpc);
        using var http = fixture.Http();

        var (status, body) = await OpenAiServer.PostAsync(http, "/v1/completions", new { model = "http-tasks", prompt = Requests.Prompt, max_tokens = 4, ignore_eos = true, task_id = 2 });
        var (missing, missingBody) = await OpenAiServer.PostAsync(http, "/v1/completions", new { model = "http-tasks", prompt = Requests.Prompt, max_tokens = 4 });
        var (outside, outsideBody) = await OpenAiServer.PostAsync(http, "/v1/completions", new { model = "http-tasks", prompt = Requests.Prompt, max_tokens = 4, task_id = 3 });
        var listed = JsonNode.Parse(await http.GetStringAsync("/v1/models/http-tasks"))!;

        Assert.Equal(200, status);
        Assert.Equal(reference.Text, (string)body["choices"]![0]!["text"]!);
        Assert.Equal(400, missing);
        Assert.Contains("task_id is required", (string)missingBody["error"]!["message"]!, StringComparison.Ordinal);
        Assert.Equal(400, outside);
        Assert.Contains("task_id 3 is outside", (string)outsideBody["error"]!["message"]!, StringComparison.Ordinal);
        Assert.Equal("MULTITASK_PROMPT_TUNING", (string)listed["peft_type"]!);
        Assert.Equal(3, (int)listed["num_tasks"]!);
        fixture.Server.Model.Registry.Unregister("http-tasks");
    }

    [Fact]
    public async Task Errors_name_the_adapter_roots_by_their_configuration_key_never_by_their_path()
    {
        using var admin = fixture.Http(fixture.Server.AdminAddress, LoopbackServer.AdminKey);

        var (status, body) = await OpenAiServer.PostAsync(admin, "/v1/load_lora_adapter", new { lora_name = "x", lora_path = "no/such/adapter" });

        string message = (string)body["error"]!["message"]!;
        Assert.Equal(404, status);
        Assert.DoesNotContain(Fixtures.HfRoot, message);
        Assert.DoesNotContain(fixture.Server.StoreDirectory, message);
        Assert.Contains("(adapter roots: <Adapters:Roots:0>", message);
    }

    [Fact]
    public async Task Load_in_place_replaces_and_requests_then_use_the_new_version()
    {
        using var admin = fixture.Http(fixture.Server.AdminAddress, LoopbackServer.AdminKey);
        await OpenAiServer.PostAsync(admin, "/v1/load_lora_adapter", new { lora_name = "swap", lora_path = "llama/adapters/lora_qv" });
        string before = fixture.Server.Model.Registry.Get("swap").ContentHash;

        var (status, _) = await OpenAiServer.PostAsync(admin, "/v1/load_lora_adapter", new { lora_name = "swap", lora_path = "llama/adapters/lora_all", load_inplace = true });

        Assert.Equal(200, status);
        Assert.NotEqual(before, fixture.Server.Model.Registry.Get("swap").ContentHash);
        var reference = await fixture.Client.GenerateAsync(Requests.Ids(maxNewTokens: 4, adapter: "swap"));
        using var http = fixture.Http();
        var (_, body) = await OpenAiServer.PostAsync(http, "/v1/completions", new { model = "swap", prompt = Requests.Prompt, max_tokens = 4, ignore_eos = true });
        Assert.Equal(reference.Text, (string)body["choices"]![0]!["text"]!);
        await OpenAiServer.PostAsync(admin, "/v1/unload_lora_adapter", new { lora_name = "swap" });
    }

    [Fact]
    public async Task Paths_stay_confined_to_the_adapter_roots_and_bad_requests_name_the_field()
    {
        using var admin = fixture.Http(fixture.Server.AdminAddress, LoopbackServer.AdminKey);
        using var keyless = fixture.Http(fixture.Server.AdminAddress);

        var (outside, outsideBody) = await OpenAiServer.PostAsync(admin, "/v1/load_lora_adapter", new { lora_name = "escape", lora_path = "/etc" });
        var (dots, _) = await OpenAiServer.PostAsync(admin, "/v1/load_lora_adapter", new { lora_name = "escape", lora_path = "llama/../../../etc" });
        var (missing, _) = await OpenAiServer.PostAsync(admin, "/v1/load_lora_adapter", new { lora_name = "nothing", lora_path = "llama/adapters/none-such" });
        var (badName, badNameBody) = await OpenAiServer.PostAsync(admin, "/v1/load_lora_adapter", new { lora_name = "a/b", lora_path = "llama/adapters/lora_qv" });
        var (noPath, noPathBody) = await OpenAiServer.PostAsync(admin, "/v1/load_lora_adapter", new { lora_name = "a" });
        var (noKey, _) = await OpenAiServer.PostAsync(keyless, "/v1/load_lora_adapter", new { lora_name = "a", lora_path = "llama/adapters/lora_qv" });

        Assert.Equal(403, outside);
        Assert.Equal("permission_error", (string)outsideBody["error"]!["type"]!);
        Assert.Equal(400, dots);
        Assert.Equal(404, missing);
        Assert.Equal(400, badName);
        Assert.Equal("lora_name", (string)badNameBody["error"]!["param"]!);
        Assert.Equal(400, noPath);
        Assert.Equal("lora_path", (string)noPathBody["error"]!["param"]!);
        Assert.Equal(401, noKey);
        Assert.Empty(fixture.Server.Model.Registry.List());
    }
}
