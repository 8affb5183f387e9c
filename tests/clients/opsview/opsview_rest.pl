#!/usr/bin/perl
# Talks to a Rosetta gateway the way Opsview's own `opsview_rest` CLI (Opsview::API) does: requests
# are Perl data structures written by Data::Dumper with `Content-Type: text/x-data-dumper`, and every
# reply is `eval`ed as Perl. Prints what it read back as one JSON document.
#
# Usage: opsview_rest.pl <base-url> <username> <password>
use strict;
use warnings;
use Data::Dumper;
use HTTP::Tiny;
use JSON::PP;

my ( $base, $username, $password ) = @ARGV;
$Data::Dumper::Indent = 1;
$Data::Dumper::Sortkeys = 1;
my $http = HTTP::Tiny->new( agent => 'opsview_rest' );
my %perl = ( 'Content-Type' => 'text/x-data-dumper', 'Accept' => 'text/x-data-dumper', 'Accept-Encoding' => 'identity' );
my %out;

sub call {
    my ( $method, $path, $data, $headers ) = @_;
    my %options = ( headers => { %perl, %{ $headers || {} } } );
    $options{content} = ref $data ? Data::Dumper->Dump( [$data], ['VAR1'] ) : $data if defined $data;
    my $reply = $http->request( $method, "$base/rest$path", \%options );
    my $VAR1;
    my $value = eval $reply->{content};
    die "reply to $method $path is not a Perl expression: $@\n$reply->{content}" if $@;
    return ( $reply->{status}, $value, $reply->{headers}{'content-type'} );
}

my ( $status, $api ) = call( 'GET', '' );
die "api_min_version too new" unless $api->{api_min_version} <= 2;
$out{api_version} = $api->{api_version};

# The CLI's login body: a Perl hash literal, not JSON.
my ( $login_status, $login, $login_type ) =
  call( 'POST', '/login', "{ username => '$username', password => \"$password\", }" );
$out{login_status} = $login_status;
$out{login_content_type} = $login_type;
$out{token} = $login->{token};
my %auth = ( 'X-Opsview-Username' => $username, 'X-Opsview-Token' => $login->{token} );

my ( undef, $info ) = call( 'GET', '/info', undef, \%auth );
$out{opsview_version} = $info->{opsview_version};

my ( $create_status, $created ) = call( 'POST', '/config/hostgroup',
    { name => 'PerlGroup', parent => { name => 'Opsview' } }, \%auth );
$out{create_status} = $create_status;
$out{created} = { name => $created->{object}{name}, matpath => $created->{object}{matpath}, id => $created->{object}{id} };

my ( undef, $list ) = call( 'GET', '/config/hostgroup?s.name=PerlGroup', undef, \%auth );
$out{listed} = [ map { $_->{name} } @{ $list->{list} } ];
$out{totalrows} = $list->{summary}{totalrows};

my ( $bad_status, $bad ) = call( 'POST', '/config/hostgroup', "{ name => 'broken', ", \%auth );
$out{broken_status} = $bad_status;
$out{broken_message} = $bad->{message};

my ( $logout_status, $logout ) = call( 'POST', '/logout', undef, \%auth );
$out{logout} = $logout->{logout_via};
my ( $after_status ) = call( 'GET', '/info', undef, \%auth );
$out{after_logout_status} = $after_status;

print JSON::PP->new->canonical->encode( \%out ), "\n";
