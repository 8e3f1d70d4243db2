/**
 * Where packageurl-js 2.0.1 and the purl test suite (../shared/conformance/purl) disagree, case by
 * case (`<test_type> <file> <input>`, a build input as JSON), grouped by the reason. The conformance
 * test checks each group's reason holds and that no other case disagrees: a library upgrade that
 * closes a gap, or a new disagreement, shows there.
 */

/**
 * Qualifier values and subpaths: packageurl-js 2.0.1 percent-encodes ':' (`https%3A%2F%2F`), the purl
 * specification leaves it bare (`https:%2F%2F`). The same purl; only the canonical text differs, and
 * the identity key (no qualifiers, no subpath) is not affected.
 */
export const COLON_ENCODED: readonly string[] = [
  'build specification-test.json {"type":"generic","namespace":null,"name":"openssl","version":"1.1.10g","qualifiers":{"checksum":"sha1:ad9503c3e994a4f,sha256:41bf9088b3a1e6c1ef1d"},"subpath":null}',
  'validate specification-test.json pkg:generic/bitwarderl?checksum=sha1:ad9503c3e994a4f%2Csha256:41bf9088b3a1e6c1ef1d',
  'validate bazel-test.json pkg:bazel/rules_java@7.8.0?repository_url=https://bcr.bazel.build/',
  'validate bazel-test.json pkg:bazel/rules_java@7.8.0?repository_url=https://example.org/bazel-registry/',
  'build bazel-test.json {"type":"bazel","namespace":null,"name":"rules_java","version":"7.8.0","qualifiers":{"repository_url":"https://example.org/bazel-registry"},"subpath":null}',
  'validate bazel-test.json pkg:bazel/rules_java@8.5.0#java/runfiles:runfiles',
  'build bazel-test.json {"type":"bazel","namespace":null,"name":"rules_java","version":"8.5.0","qualifiers":null,"subpath":"java/runfiles:runfiles"}',
  'validate brew-test.json pkg:brew/some-org/some-tap/some-app@1.2.3?repository_url=https:%2F%2Fgithub.com%2Fsome-org%2Fhomebrew-some-tap.git',
  'build brew-test.json {"type":"brew","namespace":"some-org/some-tap","name":"some-app","version":"1.2.3","qualifiers":{"repository_url":"https://github.com/some-org/homebrew-some-tap.git"},"subpath":null}',
  'validate generic-test.json pkg:generic/openssl@1.1.10g?download_url=https://openssl.org/source/openssl-1.1.0g.tar.gz&checksum=sha256:de4d501267da',
  'build generic-test.json {"type":"generic","namespace":null,"name":"openssl","version":"1.1.10g","qualifiers":{"checksum":"sha256:de4d501267da","download_url":"https://openssl.org/source/openssl-1.1.0g.tar.gz"},"subpath":null}',
  'validate generic-test.json pkg:generic/bitwarderl?vcs_url=git%2Bhttps://git.fsfe.org/dxtr/bitwarderl%40cc55108da32',
  'build generic-test.json {"type":"generic","namespace":null,"name":"bitwarderl","version":null,"qualifiers":{"vcs_url":"git+https://git.fsfe.org/dxtr/bitwarderl@cc55108da32"},"subpath":null}',
  'validate hex-test.json pkg:hex/bar@1.2.3?repository_url=https://myrepo.example.com',
  'build hex-test.json {"type":"hex","namespace":null,"name":"bar","version":"1.2.3","qualifiers":{"repository_url":"https://myrepo.example.com"},"subpath":null}',
  'validate huggingface-test.json pkg:huggingface/microsoft/deberta-v3-base@559062ad13d311b87b2c455e67dcd5f1c8f65111?repository_url=https://hub-ci.huggingface.co',
  'build huggingface-test.json {"type":"huggingface","namespace":"microsoft","name":"deberta-v3-base","version":"559062ad13d311b87b2c455e67dcd5f1c8f65111","qualifiers":{"repository_url":"https://hub-ci.huggingface.co"},"subpath":null}',
  'build julia-test.json {"type":"julia","namespace":null,"name":"RegisterQD","version":"0.3.1","qualifiers":{"repository_url":"https://github.com/HolyLab/HolyLabRegistry","uuid":"ac24ea0c-1830-11e9-18d4-81f172323054"},"subpath":null}',
  'validate julia-test.json pkg:julia/RegisterQD@0.3.1?repository_url=https://github.com/HolyLab/HolyLabRegistry&uuid=ac24ea0c-1830-11e9-18d4-81f172323054',
  'validate luarocks-test.json pkg:luarocks/username/packagename@0.1.0-1?repository_url=https://example.com/private_rocks_server/',
  'build luarocks-test.json {"type":"luarocks","namespace":"username","name":"packagename","version":"0.1.0-1","qualifiers":{"repository_url":"https://example.com/private_rocks_server/"},"subpath":null}',
  'validate maven-test.json pkg:Maven/org.apache.xmlgraphics/batik-anim@1.9.1?classifier=sources&repositorY_url=https://repo.spring.io/release',
  'validate maven-test.json pkg:maven/org.apache.xmlgraphics/batik-anim@1.9.1?type=war&repository_url=https://repo.spring.io/release',
  'validate maven-test.json pkg:maven/groovy/groovy@1.0?repository_url=https://maven.google.com',
  'build maven-test.json {"type":"maven","namespace":"groovy","name":"groovy","version":"1.0","qualifiers":{"repository_url":"https://maven.google.com"},"subpath":null}',
  'validate mlflow-test.json pkg:mlflow/CreditFraud@3?repository_url=https://adb-5245952564735461.0.azuredatabricks.net/api/2.0/mlflow',
  'validate mlflow-test.json pkg:mlflow/creditfraud@3?repository_url=https://adb-5245952564735461.0.azuredatabricks.net/api/2.0/mlflow',
  'build mlflow-test.json {"type":"mlflow","namespace":null,"name":"creditfraud","version":"3","qualifiers":{"repository_url":"https://adb-5245952564735461.0.azuredatabricks.net/api/2.0/mlflow"},"subpath":null}',
  'validate mlflow-test.json pkg:mlflow/CreditFraud@3?repository_url=https://westus2.api.azureml.ms/mlflow/v1.0/subscriptions/a50f2011-fab8-4164-af23-c62881ef8c95/resourceGroups/TestResourceGroup/providers/Microsoft.MachineLearningServices/workspaces/TestWorkspace',
  'build mlflow-test.json {"type":"mlflow","namespace":null,"name":"CreditFraud","version":"3","qualifiers":{"repository_url":"https://westus2.api.azureml.ms/mlflow/v1.0/subscriptions/a50f2011-fab8-4164-af23-c62881ef8c95/resourceGroups/TestResourceGroup/providers/Microsoft.MachineLearningServices/workspaces/TestWorkspace"},"subpath":null}',
  'validate mlflow-test.json pkg:mlflow/trafficsigns@10?model_uuid=36233173b22f4c89b451f1228d700d49&run_id=410a3121-2709-4f88-98dd-dba0ef056b0a&repository_url=https://adb-5245952564735461.0.azuredatabricks.net/api/2.0/mlflow',
  'validate mlflow-test.json pkg:mlflow/trafficsigns@10?model_uuid=36233173b22f4c89b451f1228d700d49&repository_url=https://adb-5245952564735461.0.azuredatabricks.net/api/2.0/mlflow&run_id=410a3121-2709-4f88-98dd-dba0ef056b0a',
  'build mlflow-test.json {"type":"mlflow","namespace":null,"name":"trafficsigns","version":"10","qualifiers":{"model_uuid":"36233173b22f4c89b451f1228d700d49","run_id":"410a3121-2709-4f88-98dd-dba0ef056b0a","repository_url":"https://adb-5245952564735461.0.azuredatabricks.net/api/2.0/mlflow"},"subpath":null}',
  'validate mlflow-test.json pkg:mlflow/creditfraud@3?repository_url=https://westus2.api.azureml.ms/mlflow/v1.0/subscriptions/a50f2011-fab8-4164-af23-c62881ef8c95/resourceGroups/TestResourceGroup/providers/Microsoft.MachineLearningServices/workspaces/TestWorkspace',
  'build mlflow-test.json {"type":"mlflow","namespace":null,"name":"creditfraud","version":"3","qualifiers":{"repository_url":"https://westus2.api.azureml.ms/mlflow/v1.0/subscriptions/a50f2011-fab8-4164-af23-c62881ef8c95/resourceGroups/TestResourceGroup/providers/Microsoft.MachineLearningServices/workspaces/TestWorkspace"},"subpath":null}',
  'build mlflow-test.json {"type":"mlflow","namespace":null,"name":"trafficsigns","version":"10","qualifiers":{"model_uuid":"36233173b22f4c89b451f1228d700d49","repository_url":"https://adb-5245952564735461.0.azuredatabricks.net/api/2.0/mlflow","run_id":"410a3121-2709-4f88-98dd-dba0ef056b0a"},"subpath":null}',
  'validate npm-test.json pkg:npm/mypackage@12.4.5?vcs_url=git://host.com/path/to/repo.git%404345abcd34343',
  'build npm-test.json {"type":"npm","namespace":null,"name":"mypackage","version":"12.4.5","qualifiers":{"vcs_url":"git://host.com/path/to/repo.git@4345abcd34343"},"subpath":null}',
  'validate otp-test.json pkg:otp/asn1@5.4.1?arch=amd64&platform=linux&repository_url=https://github.com/erlang/otp&vcs_url=git%2Bhttps://github.com/erlang/otp.git#src/asn1ct.erl',
  'build otp-test.json {"type":"otp","namespace":null,"name":"asn1","version":"5.4.1","qualifiers":{"platform":"linux","arch":"amd64","repository_url":"https://github.com/erlang/otp","vcs_url":"git+https://github.com/erlang/otp.git"},"subpath":"src/asn1ct.erl"}',
  'validate vcpkg-test.json pkg:vcpkg/zlib@1.3.1?triplet=x64-linux&vcs_url=git%2Bhttps:%2F%2Fgithub.com%2Fmicrosoft%2Fvcpkg%40b5d3197b1a8a3f4c2d9e0f1a2b3c4d5e6f708192',
  'build vcpkg-test.json {"type":"vcpkg","namespace":null,"name":"zlib","version":"1.3.1","qualifiers":{"vcs_url":"git+https://github.com/microsoft/vcpkg@b5d3197b1a8a3f4c2d9e0f1a2b3c4d5e6f708192","triplet":"x64-linux"},"subpath":null}',
];

/**
 * Versions: packageurl-js leaves '+' bare, the specification encodes it (`2-2%2Bb1`). The same purl.
 */
export const PLUS_BARE: readonly string[] = [
  'validate deb-test.json pkg:deb/debian/attr@1:2.4.47-2%2Bb1?arch=amd64',
  'build deb-test.json {"type":"deb","namespace":"debian","name":"attr","version":"1:2.4.47-2+b1","qualifiers":{"arch":"amd64"},"subpath":null}',
];

/**
 * Names the type rules fold to lower case (brew; git on github), which packageurl-js keeps as written:
 * `pkg:brew/SQLite` and `pkg:brew/sqlite` get two identity keys here.
 */
export const CASE_KEPT: readonly string[] = [
  'parse brew-test.json pkg:brew/SQLite@3.43.2',
  'validate brew-test.json pkg:brew/SQLite@3.43.2',
  'parse brew-test.json pkg:brew/Homebrew/Core/sqlite@3.43.2',
  'validate brew-test.json pkg:brew/Homebrew/Core/sqlite@3.43.2',
  'validate git-test.json pkg:git/github/Package-url/purl-Spec@244fd47e07d1004f0aed9c',
];

/**
 * git purls whose name holds '/': the suite keeps `forgejo/forgejo` as the name under `codeberg.org`,
 * packageurl-js splits it into namespace segments (parsing) or encodes the '/' (building).
 */
export const GIT_NAME_SLASH: readonly string[] = [
  'parse git-test.json pkg:git/codeberg.org/forgejo/forgejo@a72d2c07cfca03b55371089de6aa230d8c951fa0',
  'build git-test.json {"type":"git","namespace":"codeberg.org","name":"forgejo/forgejo","version":"a72d2c07cfca03b55371089de6aa230d8c951fa0","qualifiers":null,"subpath":null}',
  'parse git-test.json pkg:git/codeberg.org/forgejo/forgejo@a72d2c07cfca03b55371089de6aa230d8c951fa0#options/locale_readme.md',
  'build git-test.json {"type":"git","namespace":"codeberg.org","name":"forgejo/forgejo","version":"a72d2c07cfca03b55371089de6aa230d8c951fa0","qualifiers":null,"subpath":"options/locale_readme.md"}',
];

/**
 * Type rules newer than packageurl-js 2.0.1 (chrome-extension ids, cpan `::`, julia and vcpkg names,
 * otp, vcpkg and vscode-extension namespaces, upper-case type or qualifier keys): the suite refuses
 * these, packageurl-js accepts them.
 */
export const TYPE_RULES_NOT_ENFORCED: readonly string[] = [
  'parse chrome-extension-test.json pkg:chrome-extension/44444algnefjeiefhmpklpfiohadpglk',
  'parse chrome-extension-test.json pkg:chrome-extension/dogs',
  'parse chrome-extension-test.json pkg:chrome-extension/dlpngalgnefjeiefhmpklpfiohadpglk@1.2.3.4.5',
  'parse chrome-extension-test.json pkg:chrome-extension/dlpngalgnefjeiefhmpklpfiohadpglk@1.2.3-beta',
  'parse cpan-test.json pkg:cpan/LWP::UserAgent@6.7.6',
  'parse cpan-test.json pkg:cpan/GDT/URI::PackageURL',
  'build cpan-test.json {"type":"cpan","namespace":"GDT","name":"URI::PackageURL","version":null,"qualifiers":null,"subpath":null}',
  'parse cpan-test.json pkg:cpan/URI::PackageURL',
  'build cpan-test.json {"type":"cpan","namespace":null,"name":"URI::PackageURL","version":null,"qualifiers":null,"subpath":null}',
  'parse gem-test.json pkg:gem/jruby-launcher@1.1.2?Platform=java',
  'parse julia-test.json pkg:julia/@1.9.0',
  'parse julia-test.json pkg:julia/Dates',
  'parse otp-test.json pkg:otp/namespace/hex@2.1.1',
  'build otp-test.json {"type":"otp","namespace":"namespace","name":"hex","version":"2.1.1","qualifiers":null,"subpath":null}',
  'parse rpm-test.json pkg:Rpm/fedora/curl@7.50.3-1.fc25?Arch=i386&Distro=fedora-25',
  'parse vcpkg-test.json pkg:vcpkg/boost/asio@1.84.0',
  'parse vcpkg-test.json pkg:vcpkg/@1.0.8',
  'build vcpkg-test.json {"type":"vcpkg","namespace":"boost","name":"asio","version":"1.84.0","qualifiers":null,"subpath":null}',
  'parse vscode-extension-test.json pkg:vscode-extension/java@1.46.2025091308',
  'build vscode-extension-test.json {"type":"vscode-extension","namespace":null,"name":"java","version":"1.46.2025091308","qualifiers":null,"subpath":null}',
];
