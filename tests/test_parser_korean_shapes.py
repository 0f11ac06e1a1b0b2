"""Korean (and mixed) definition shapes: marked names with a topic particle, "X는 …을 말한다"
sentences, bold group headings over a list, headings tagged "시험 빈출!", a description that
ends in the name it describes. Expected terms come from reading each snippet."""

from __future__ import annotations

from bot.engine.parser import parse_note


def entries(text: str):
    deck, _ = parse_note(text, "note.md", default_name="Note")
    return deck.entries


def terms(text: str) -> list[str]:
    return [e.term for e in entries(text)]


def test_each_bold_name_with_a_topic_particle_is_defined_by_its_clause() -> None:
    text = "**Retain**은 PVC 삭제 시 PV와 데이터를 보존한다. **Delete**는 PV와 외부 스토리지를 삭제하고, **Recycle**은 더 이상 쓰지 않는다.\n"
    found = [(e.term, e.definition, e.rule) for e in entries(text)]
    assert found == [
        ("Retain", "PVC 삭제 시 PV와 데이터를 보존한다.", "sentence:subject"),
        ("Delete", "PV와 외부 스토리지를 삭제하고", "sentence:subject"),
        ("Recycle", "더 이상 쓰지 않는다.", "sentence:subject"),
    ]


def test_bold_word_inside_a_sentence_is_not_its_topic() -> None:
    assert terms("Secret은 기본적으로 **Base64 인코딩**은 암호화가 아니라는 점을 기억하자.\n") == []


def test_korean_sentence_with_a_defining_predicate_is_an_unsure_entry() -> None:
    (entry,) = entries("인증은 사용자가 누구인지 확인하는 과정을 말한다.\n")
    assert (entry.term, entry.rule, entry.confident) == ("인증", "sentence:subject", False)


def test_korean_sentence_with_parenthesised_name_is_an_entry_with_alias() -> None:
    (entry,) = entries("인가(Authorization)는 사용자가 무엇을 할 수 있는지 정하는 것을 의미한다.\n")
    assert entry.names == ("인가", "Authorization")


def test_bold_line_over_a_list_of_entries_is_their_group() -> None:
    text = "**Control Plane (=Master Node)**\n\n- API Server : 요청을 받아 상태를 저장한다\n- etcd : 클러스터 데이터 저장소\n"
    group, *members = entries(text)
    assert group.names == ("Control Plane", "Master Node") and group.members == ("API Server", "etcd")
    assert [m.group for m in members] == ["Control Plane", "Control Plane"]


def test_bold_label_with_a_colon_over_a_list_is_not_a_group() -> None:
    text = "**실습에 쓰는 도구:**\n\n- **minikube**: 로컬에 클러스터를 띄운다\n- **Killercoda**: 실습 환경을 제공한다\n"
    assert terms(text) == ["minikube", "Killercoda"]


def test_heading_tagged_with_an_exclamation_names_the_term_without_it() -> None:
    text = "### Ingress Controller 필수! (시험 빈출!)\n\nIngress 규칙을 실제로 처리하는 컨트롤러로, 반드시 설치해야 한다.\n"
    assert terms(text) == ["Ingress Controller"]


def test_description_ending_in_a_name_names_that_term() -> None:
    text = "**ReplicaSet 의 부족한 부분을 보완해주는 Deployment**\n\n<img src=\"deploy.png\">\n\nReplicaSet을 관리하며 롤링 업데이트를 제공하는 객체.\n"
    (entry,) = entries(text)
    assert entry.term == "Deployment" and entry.definition.startswith("ReplicaSet을 관리하며")


def test_latin_name_defined_inside_a_korean_sentence_is_an_entry() -> None:
    text = "- **CI/CD** : 자동 배포 프로세스. Delivery와 달리 Continuous Deployment는 배포까지 완전 자동화 되는것을 말함.\n"
    assert [e.term for e in entries(text)] == ["CI/CD", "Continuous Deployment"]


def test_quoted_name_with_a_topic_particle_is_an_entry() -> None:
    text = "- **Cost**: 비용을 줄인다. 'scale to zero'는 쓰지 않을 때 리소스를 해제하는 패턴입니다.\n"
    assert "scale to zero" in [e.term for e in entries(text)]


def test_korean_name_glossed_in_english_inside_a_sentence_is_an_entry() -> None:
    text = "보안 패턴은 최소 권한 원칙(Least Privilege)을 적용합니다.\n"
    assert [e.names for e in entries(text)] == [("최소 권한 원칙", "Least Privilege")]


def test_everyday_word_with_a_short_translation_is_not_a_gloss() -> None:
    assert terms("이 환경은 개발(Dev) 용도이고 저 환경은 운영(Ops) 용도이다.\n") == []


def test_two_names_before_one_separator_are_two_entries() -> None:
    text = "- CRI-O, containerd : CRI를 구현한 컨테이너 런타임\n"
    assert [(e.term, e.definition) for e in entries(text)] == [
        ("CRI-O", "CRI를 구현한 컨테이너 런타임"), ("containerd", "CRI를 구현한 컨테이너 런타임")
    ]


def test_same_definition_under_a_longer_and_a_shorter_name_is_one_entry() -> None:
    text = (
        "- **Microservices Architecture**: 애플리케이션을 작은 독립적인 서비스로 분리한다. 각각 배포된다.\n"
        "- **DevOps**: 개발과 운영의 협업 문화\n"
        "- Microservices: 애플리케이션을 작은 독립적인 서비스로 분리한다.\n"
    )
    assert [e.names for e in entries(text)] == [("Microservices Architecture", "Microservices"), ("DevOps",)]


def test_whole_bold_line_with_a_separator_is_an_entry() -> None:
    text = "**strategy : 파드를 업데이트 해야 하는 상황에서 어떤 방식으로 업데이트를 할 것인가.**\n\n- RollingUpdate\n"
    assert [e.term for e in entries(text)] == ["strategy"]


def test_answer_label_of_a_quiz_is_not_a_term() -> None:
    assert terms("**정답: B) Label은 셀렉터로 선택할 수 있다**\n") == []


def test_marked_name_in_apposition_is_an_unsure_entry() -> None:
    (entry,) = entries("잘 알려진 프로젝트로는 컨테이너 오케스트레이션 플랫폼인 `Kubernetes`가 있음.\n")
    assert (entry.term, entry.confident) == ("Kubernetes", False)


def test_marked_name_called_by_a_kind_is_an_entry() -> None:
    text = "→ 이러한 정책을 **persistent volume claim** 이라는 Object 에 정의해야 한다.\n"
    assert terms(text) == ["persistent volume claim"]


def test_names_a_sentence_counts_out_are_entries() -> None:
    text = "OCI는 Image-spec(Buildkit, Podman), Runtime-spec(runc, gvisor), Distribution-spec(registry API. Dockerhub) 등 3가지 사양을 정의합니다.\n"
    assert terms(text) == ["Image-spec", "Runtime-spec", "Distribution-spec"]


def test_a_count_that_does_not_match_names_nothing() -> None:
    assert terms("Buildkit, buildah 등 5가지 도구가 있다.\n") == []


def test_capitalised_name_with_a_topic_particle_inside_a_definition_is_an_entry() -> None:
    text = "- **CloudEvents** : 이벤트 표준. Knative Eventing은 쿠버네티스에서 이벤트 중심 앱을 구축하도록 지원합니다.\n"
    assert terms(text) == ["CloudEvents", "Knative Eventing"]


def test_counted_enumeration_entries_are_unsure() -> None:
    text = "OCI는 Image-spec(Buildkit), Runtime-spec(runc) 등 2가지 사양을 정의합니다.\n"
    assert [e.confident for e in entries(text)] == [False, False]
