using System.Text;
using System.Text.RegularExpressions;
using Rollouter.Import.BrowserTests.Infrastructure;
using Rollouter.Import.BrowserTests.Recovery;
using Xunit.Abstractions;

namespace Rollouter.Import.BrowserTests;

/// <summary>
/// The import page's progress bar when its polls stop being answered with the progress: it says so, and stops for good
/// where every later poll would get the same answer. The wizard's app (<see cref="WizardFixture"/>), in a rollout of its
/// own, so the demo data stays as it is.
/// </summary>
[Collection(WizardCollection.Name)]
public sealed class ProgressPollTests(WizardFixture fixture, ITestOutputHelper output) : BrowserTest(fixture, output)
{
    /// <summary>
    /// Rows of the import the pages open: enough for it to be still In Progress when they load, which is all the test
    /// needs (their polls are held or cut off from then on, so it may end meanwhile).
    /// </summary>
    private const int Rows = 100_000;

    private const string Stopped = "You were signed out or no longer have access to this import; reload the page.";

    [Fact]
    public async Task RunningImport_SignedOutOrTakenOffTheRollout_TheBarStopsAndSaysSo_AndWithoutConnectionItRetries()
    {
        var identifier = "POLL" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
        using var admin = await AppApi.SignInAsync(Fixture.App, "admin@demo.test");
        await admin.RolloutWithDesksAsync("Polls " + identifier, identifier, "manager@demo.test", "kam@demo.test");
        var users = (await admin.GetAsync("api/users")).AsArray();
        int UserId(string email) => users.Single(u => u!["email"]!.GetValue<string>() == email)!["id"]!.GetValue<int>();

        // The manager's tab: its polls find no connection until the test lets them through.
        var connected = false;
        var managerPolls = 0;
        await StartAsync("/rollouts");
        await SignInAsync("manager@demo.test");
        await Expect(Page).Not.ToHaveURLAsync(SignInUrl());
        await Page.RouteAsync("**/progress", async route =>
        {
            Interlocked.Increment(ref managerPolls);
            if (Volatile.Read(ref connected))
            {
                await route.ContinueAsync();
            }
            else
            {
                await route.AbortAsync("internetdisconnected");
            }
        });

        // The key account manager's review of the same import: its first poll waits until they are taken off the rollout.
        var review = await NewBrowserContextPageAsync();
        var takenOff = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await review.GotoAsync("/rollouts");
        await review.GetByLabel("Email").FillAsync("kam@demo.test");
        await review.GetByLabel("Password").FillAsync(DemoPassword);
        await review.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(review).Not.ToHaveURLAsync(SignInUrl());
        await review.RouteAsync("**/progress", async route =>
        {
            await takenOff.Task;
            await route.ContinueAsync();
        });

        int importId;
        using (var manager = await AppApi.SignInAsync(Fixture.App, "manager@demo.test"))
        {
            var csv = new StringBuilder("Name,Status\n", Rows * 20);
            var prefix = "POLL-" + Guid.NewGuid().ToString("N")[..6].ToUpperInvariant();
            for (var i = 1; i <= Rows; i++)
            {
                csv.Append(prefix).Append('-').Append(i.ToString(System.Globalization.CultureInfo.InvariantCulture)).Append(",New\n");
            }

            importId = await manager.ApproveCsvAsync(identifier, "Desks", csv.ToString());
        }

        var wizardPath = $"/rollouts/{identifier}/imports/{importId}";
        await GoToAsync(wizardPath);
        await review.GotoAsync($"/reviews/{identifier}/imports/{importId}");
        var bar = Page.GetByRole(AriaRole.Progressbar, new() { Name = "Import progress" });
        await Expect(bar).ToBeVisibleAsync();
        await Expect(review.GetByRole(AriaRole.Progressbar, new() { Name = "Import progress" })).ToBeVisibleAsync();
        await Step("running");

        // Taken off the rollout: the review's next answer is a 404, and the bar stops, saying so with a way to reload.
        var kam = UserId("kam@demo.test");
        var kamRollouts = (await admin.GetAsync($"api/users/{kam}"))["rollouts"]!.AsArray().Select(r => r!.GetValue<string>()).ToHashSet();
        var kept = (await admin.GetAsync("api/rollouts")).AsArray()
            .Where(r => r!["identifier"]!.GetValue<string>() != identifier && kamRollouts.Contains(r["identifier"]!.GetValue<string>()))
            .Select(r => r!["id"]!.GetValue<int>()).ToArray();
        await admin.PutAsync($"api/users/{kam}", new { rolloutIds = kept });
        takenOff.SetResult();
        var reviewLive = review.GetByTestId("progress-live");
        await Expect(reviewLive).ToHaveTextAsync(Stopped);
        await Expect(reviewLive.GetByRole(AriaRole.Link, new() { Name = "reload the page" }))
            .ToHaveAttributeAsync("href", $"/reviews/{identifier}/imports/{importId}");
        await Step("review-stopped", review);

        // No connection: the manager's bar tries again, later each time, and from the third failure says so.
        var live = Page.GetByTestId("progress-live");
        await Expect(live).ToHaveTextAsync(new Regex("^Connection lost, retrying in (8|16|30) seconds…$"));
        await Step("retrying");

        // Signed out in another tab meanwhile; once the connection is back, the answer says so and the bar stops.
        var other = await Page.Context.NewPageAsync();
        await other.GotoAsync("/rollouts");
        await other.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Expect(other).ToHaveURLAsync(new Regex("/account/"));
        await other.CloseAsync();
        Volatile.Write(ref connected, true);

        // The next try comes at most 30 seconds later.
        await Expect(live).ToHaveTextAsync(Stopped, new() { Timeout = 45_000 });
        await Step("stopped");
        // Stopped for good: no poll follows the answer that stopped it.
        var polls = Volatile.Read(ref managerPolls);
        await Page.WaitForTimeoutAsync(3_000);
        Assert.Equal(polls, Volatile.Read(ref managerPolls));

        // The link reloads the page, which leads to the sign-in.
        await live.GetByRole(AriaRole.Link, new() { Name = "reload the page" }).ClickAsync();
        await Expect(Page).ToHaveURLAsync(SignInUrl());

        // The import ends as it would have: the app is left quiet for the next test.
        await admin.WaitForImportAsync(importId, i => i["status"]!.GetValue<string>() != "InProgress", TimeSpan.FromMinutes(3), "its end");
    }
}
