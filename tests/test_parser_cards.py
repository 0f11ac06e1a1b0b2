"""Questions and answers as glossary shapes: `Question :: Answer` flashcards beyond "What is X?",
`Q:`/`A:` and `Q1.`/`A.` pairs; and the commands, flags, file names and pronouns that are never
terms. Expected terms come from reading each snippet."""

from __future__ import annotations

import pytest

from bot.engine.parser import parse_note


def entries(text: str):
    deck, _ = parse_note(text, "note.md", default_name="Note")
    return deck.entries


def terms(text: str) -> list[str]:
    return [e.term for e in entries(text)]


def names(text: str) -> set[str]:
    return {n for e in entries(text) for n in e.names}


@pytest.mark.parametrize(
    ("card", "term"),
    [
        ("What's a Union File System in Docker? :: Merges image layers into one view.", "Union File System"),
        ("What does the Container Network Interface (CNI) do? :: Simplifies networking setup.", "Container Network Interface"),
        ("How does encapsulation benefit Cloud-Native apps? :: Isolates dependencies.", "encapsulation"),
        ("What is the primary purpose of kube-state-metrics? :: Exposes cluster state data.", "kube-state-metrics"),
        ("What are FreeBSD Jails (2000)? :: Lightweight virtualization isolating resources.", "FreeBSD Jails"),
        ("What is the Linux Foundation's role in Cloud Native? :: Sponsors Kubernetes.", "Linux Foundation"),
        ("What is true about Ingress for traffic routing? :: Routes external HTTP traffic.", "Ingress"),
    ],
)
def test_flashcard_question_subject_is_defined_by_the_answer(card: str, term: str) -> None:
    (entry,) = entries(card + " #flashcard\n")
    assert entry.term == term and entry.rule.startswith("qa:")


def test_flashcard_answer_naming_a_thing_is_the_entry() -> None:
    (entry,) = entries("Which Kubernetes component manages the state of worker nodes? :: kubelet\n")
    assert entry.term == "kubelet" and entry.definition.startswith("Which Kubernetes component")


def test_flashcard_answer_with_an_acronym_in_parentheses_gives_an_alias() -> None:
    (entry,) = entries("How can data be shared between cronjobs? :: Persistent Volume Claim (PVC)\n")
    assert entry.names == ("Persistent Volume Claim", "PVC")


def test_flashcard_answer_x_and_y_gives_two_entries() -> None:
    assert terms("Which tools synchronize clusters with Git? :: Argo CD and Flux\n") == ["Argo CD", "Flux"]


def test_flashcard_answer_with_term_colon_parts_defines_each_part() -> None:
    text = "What's the difference between CI and CD? :: CI: frequent commits; CD: automated releases.\n"
    assert [(e.term, e.definition) for e in entries(text)] == [("CI", "frequent commits"), ("CD", "automated releases")]


def test_flashcard_difference_question_defines_both_subjects() -> None:
    text = "What's the difference between LXC and CRI-O? :: One is for Linux containers, the other for Kubernetes.\n"
    assert terms(text) == ["LXC", "CRI-O"]


def test_flashcard_with_a_generic_subject_is_not_an_entry() -> None:
    assert terms("What's a key consideration for autoscaling? :: Testing ensures performance.\n") == []
    assert terms("What's a mnemonic for the pillars? :: Morning Coffee Delivers Caffeine.\n") == []


def test_flashcard_answer_that_is_a_list_of_lower_case_phrases_is_not_terms() -> None:
    assert terms("Which Serverless trait matters? :: Easier maintenance, deployment, upgrades.\n") == []


def test_platform_qualifier_is_not_part_of_the_term() -> None:
    assert terms("What is a Kubernetes Deployment? :: Manages replicated pods.\n") == ["Deployment"]


@pytest.mark.parametrize(
    "text",
    [
        "Q: What is etcd?\nA: A distributed key-value store.\n",
        "Q1. What is etcd?\n\nA. A distributed key-value store.\n",
        "**Q.** etcd란?\n**A.** 분산 키-값 저장소이다.\n",
    ],
)
def test_question_and_answer_pairs_are_entries(text: str) -> None:
    (entry,) = entries(text)
    assert entry.term == "etcd" and entry.shape.value == "qa"


def test_one_term_spelled_singular_and_plural_is_one_entry() -> None:
    text = "What is a CronJob? :: Runs jobs on a schedule.\n\nWhat are CronJobs used for? :: Periodic batch jobs.\n"
    assert terms(text) == ["CronJob"]


@pytest.mark.parametrize(
    "line",
    [
        "`docker ps`: Lists running containers.",
        "`kubectl get nodes`: Queries the API server for cluster nodes.",
        "`tar xvf funbox.tar`: Extracts the archive into the current directory.",
        "* `USER john`: Switches to the specified user.",
        "* `-it`: Run interactively with a terminal.",
        "* `manifest.json`: Describes image layers.",
        "* `blobs/`: Contains all image layers.",
        "`exit`: Exit the container.",
    ],
)
def test_commands_flags_and_file_names_are_not_terms(line: str) -> None:
    assert terms(line + "\n") == []


def test_dockerfile_instruction_alone_is_a_term() -> None:
    assert terms("* `ENTRYPOINT`: Defines the main command that always runs at startup.\n") == ["ENTRYPOINT"]


def test_pronoun_answer_is_not_a_term() -> None:
    assert terms("Which one runs the pods? :: It\n") == []


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("- Provides education for **CKA** (Certified Kubernetes Administrator).", ("CKA", "Certified Kubernetes Administrator")),
        ("What is the purpose of a test plan in a Kubernetes Enhancement Proposal (KEP) here", ("Kubernetes Enhancement Proposal", "KEP")),
        ("KubeScape는 NSA(National Security Agency)와 협력하여 개발되었습니다.", ("NSA", "National Security Agency")),
        ("- 소프트웨어 개발처럼 Git과 같은 **버전 관리 시스템(VCS)** 활용 가능", ("버전 관리 시스템", "VCS")),
    ],
)
def test_acronym_spelled_out_in_running_text_is_an_entry(line: str, expected: tuple[str, str]) -> None:
    (entry,) = [e for e in entries(line + "\n") if e.rule == "acronym:gloss"]
    assert entry.names == expected


def test_acronym_placeholder_and_code_are_not_glosses() -> None:
    assert terms("CDN(Content Delivery Network) : \n") == []
    assert terms("```\nCKA (Certified Kubernetes Administrator) is here\n```\n") == []


def test_acronym_gloss_of_a_defined_term_adds_an_alias_only() -> None:
    text = "- **Pod**: smallest unit\n- **HPA**: scales pods\n\nThe Horizontal Pod Autoscaler (HPA) is common.\n"
    assert [(e.term, e.aliases) for e in entries(text)] == [("Pod", ()), ("HPA", ("Horizontal Pod Autoscaler",))]


def test_flashcard_answer_listing_many_things_defines_the_subject_not_each_thing() -> None:
    found = entries("What is the workflow of a CI/CD pipeline? :: Build, Testing, Release, Deployment\n")
    assert [(e.term, e.definition) for e in found] == [("CI/CD pipeline", "Build, Testing, Release, Deployment")]


def test_flashcard_answer_listing_kinds_each_explained_gives_an_entry_per_kind() -> None:
    text = "What are the three types of Auto Scaling? :: Reactive (threshold-based), Scheduled (spikes), Predictive (AI).\n"
    assert terms(text) == ["Reactive", "Scheduled", "Predictive"]


def test_question_and_answer_table_rows_are_read_like_flashcards() -> None:
    text = (
        "| Topic | Answer |\n| :--- | :--- |\n"
        "| **1. Which project was the first submission to the CNCF?** | **Kubernetes** |\n"
        "| **2. Cloud Native Architecture refers to?** | Apps built with best practices to run on Cloud Native systems |\n"
    )
    assert terms(text) == ["Kubernetes", "Cloud Native Architecture"]


def test_nested_answer_under_a_question_bullet_is_a_card() -> None:
    text = "- What is serverless computing?\n\t- A computing model where the server is managed by a cloud provider\n"
    (entry,) = entries(text)
    assert entry.term == "serverless computing" and entry.definition.startswith("A computing model")


def test_negated_question_does_not_define_its_answer() -> None:
    text = "- Which of the following is NOT an autoscaling feature of Kubernetes?\n\t- Node Autoscaler\n"
    assert terms(text) == []


def test_what_are_x_and_y_defines_both() -> None:
    text = "What are Solaris Zones and HP-UX Virtual Partitions (2000s)? :: Virtualization isolating compute resources.\n"
    assert terms(text) == ["Solaris Zones", "HP-UX Virtual Partitions"]


def test_kind_word_after_a_proper_name_is_dropped() -> None:
    assert terms("What is the KCNA certification? :: Entry-level cert for Kubernetes.\n") == ["KCNA"]


@pytest.mark.parametrize(
    ("card", "expected"),
    [
        ("What's a ClusterRole vs. ClusterRoleBinding? :: One defines permissions; the other grants them.", ["ClusterRole", "ClusterRoleBinding"]),
        ("What are the restartPolicy options? :: Always, Never, OnFailure", ["restartPolicy"]),
        ("What's in a kubeconfig file? :: Cluster details and user info.", ["kubeconfig"]),
        ("What are drawbacks of too many image layers? :: Longer builds and bigger images.", ["image layers"]),
        ("What are the 4C’s of Cloud Native Security? :: Cloud, Cluster, Container, Code", ["4C’s of Cloud Native Security"]),
        ("What role does automation play in Cloud-Native? :: Reduces manual effort.", ["automation"]),
    ],
)
def test_flashcard_subject_without_its_collective_or_kind_words(card: str, expected: list[str]) -> None:
    assert terms(card + "\n") == expected


@pytest.mark.parametrize(
    "card",
    [
        "Who was the original developer of Kubernetes? :: Google",
        "What is the KCNA exam format? :: Multiple-choice, entry-level, theoretical.",
        "What are the four key practices in Cloud Native development? :: Automation, Resilience, Scalability",
        "What's the traditional Docker architecture? :: Hardware, then the OS, then the runtime.",
    ],
)
def test_flashcards_about_facts_logistics_or_counts_are_not_terms(card: str) -> None:
    assert terms(card + "\n") == []


def test_contrast_question_defines_both_sides() -> None:
    text = "How do Security Contexts differ from Security Policies in Kubernetes? :: One is per pod, the other per cluster.\n"
    assert terms(text) == ["Security Contexts", "Security Policies"]


def test_passive_how_question_defines_its_subject() -> None:
    assert terms("How were monolithic apps traditionally installed? :: Directly on the OS via packages.\n") == ["monolithic apps"]


def test_number_led_subject_with_of_is_a_named_concept() -> None:
    text = "What are the three pillars of observability? :: Logs, Metrics, Traces\n"
    assert terms(text) == ["three pillars of observability"]


def test_acronym_and_a_lower_case_word_are_not_merged() -> None:
    text = "What are TAGs in CNCF? :: Technical Advisory Groups.\n\nWhat are tags in container images? :: Labels for versions.\n"
    assert terms(text) == ["TAGs", "tags"]


@pytest.mark.parametrize(
    "card",
    [
        "What is the significance of the 1.5MB size limit in etcd? :: Keeps values small.",
        "What's the official source for KCNA exam info? :: GitHub repo cncf/curriculum",
    ],
)
def test_measures_and_repository_paths_are_not_terms(card: str) -> None:
    assert terms(card + "\n") == []
